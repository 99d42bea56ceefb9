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
  /** Largest rendered memory (header line included). Default 192. */
  windowTokens?: number;
  /** Budget of trailing turns (chat) or sentences (documents) repeated at the next window's start. Default 48. */
  overlapTokens?: number;
  /** Cap on one turn's content; longer turns are split. Default: whatever fits in a window. */
  maxMessageTokens?: number;
}

export interface DocumentReadOptions {
  /** Path recorded in each chunk's source; its extension picks the format when `format` is absent. */
  docPath?: string;
  format?: "md" | "txt";
}

export const DEFAULT_WINDOW_TOKENS = 192;
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
}
