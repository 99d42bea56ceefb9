import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { ChatMessage } from "./chat-schema.js";

/** Who and when a read is for; every produced item carries these in its metadata. */
export interface ReadContext {
  userId?: string;
  sessionId?: string;
  cubeId?: string;
  /** ISO time of the add; default the current time. Used for created_at and untimed messages. */
  now?: string;
}

/** Sizes for fast reading, in cl100k tokens. */
export interface FastReaderOptions {
  /**
   * Largest rendered memory (header line included). Default 192 (see DEFAULT_WINDOW_TOKENS):
   * with turns also stored on their own, it gave the best LoCoMo evidence recall at a 1,000-token
   * context among 64–256.
   */
  windowTokens?: number;
  /** Budget of trailing turns (chat) or sentences (documents) repeated at the next window's start. Default 48. */
  overlapTokens?: number;
  /** Cap on one turn's content; longer turns are split. Default: whatever fits in a window. */
  maxMessageTokens?: number;
  /**
   * Annotate relative dates in chat lines with the absolute date ("yesterday [7 May 2023]"),
   * against each message's time. Default true. Sources always keep the words as written.
   */
  resolveDates?: boolean;
  /**
   * What a chat becomes: token windows ("window"), one memory per turn ("turn"), or both
   * (default, DEFAULT_GRANULARITY). Searches drop a result whose turns all came with better
   * results, so "both" never spends a context budget twice on the same turn.
   */
  granularity?: "window" | "turn" | "both";
}

/**
 * Document formats. "html" is converted to Markdown when read; "pdf" is text extracted from a PDF
 * with pages separated by form feeds ("\f"), as `loadDocumentFile` returns it.
 */
export type DocumentFormat = "md" | "txt" | "html" | "pdf";

export interface DocumentReadOptions {
  /** Path recorded in each chunk's source; its extension picks the format when `format` is absent. */
  docPath?: string;
  /** Default: from docPath's extension (.md/.markdown/.mdx → md, .html/.htm → html, .pdf → pdf), else md. */
  format?: DocumentFormat;
}

/**
 * Window size of the fast reader, in cl100k tokens. With turns stored beside the windows
 * (granularity "both"), a window's job is context, and wider ones carry more of it: LoCoMo
 * evidence recall at 1,000 tokens (dev, tree, fast, GloVe) 0.765 at 64, 0.769 at 80, 0.796 at
 * 128, 0.805 at 192 and 0.804 at 256 tokens; multi-hop peaked at 192.
 */
export const DEFAULT_WINDOW_TOKENS = 192;
/**
 * Chat granularity of the fast reader (see FastReaderOptions.granularity). "both": on LoCoMo
 * (conv-26 and conv-30, fast mode, GloVe) evidence recall at 1,000 tokens went from 0.724
 * (windows) to 0.757, turns alone gave 0.692: a turn is precise, a window carries context.
 */
export const DEFAULT_GRANULARITY = "both";
/** Tokens two consecutive windows share (a quarter of the window). */
export const DEFAULT_OVERLAP_TOKENS = 48;

/**
 * Turns conversations and documents into memory items. The fast reader is synchronous; an LLM
 * (fine) reader returns promises, so callers should `await` either.
 */
export interface MemReader {
  readonly mode: "fast" | "fine";
  readChat(messages: ChatMessage[], ctx?: ReadContext): TextualMemoryItem[] | Promise<TextualMemoryItem[]>;
  readDocument(
    text: string,
    opts?: DocumentReadOptions,
    ctx?: ReadContext,
  ): TextualMemoryItem[] | Promise<TextualMemoryItem[]>;
  /** A .txt / .md / .html / .pdf file → items; sources carry `doc_path` (and `page` for PDFs). */
  readDocumentFile(path: string, ctx?: ReadContext): Promise<TextualMemoryItem[]>;
}
