import type { TextualMemoryItem } from "../core/schema/memory.js";
import { type ChatMessage, validateChatMessages } from "./chat-schema.js";
import { chatTurns, fastWindowItem, packWindows } from "./chat-windows.js";
import { type ResolvedSizes, resolveNow, resolveSizes } from "./common.js";
import { readDocument } from "./document.js";
import { type ChatGranularity, fastTurnItem, WINDOW_TAG } from "./granularity.js";
import { loadDocumentFile } from "./parsers/load.js";
import {
  DEFAULT_GRANULARITY,
  type DocumentReadOptions,
  type FastReaderOptions,
  type MemReader,
  type ReadContext,
} from "./types.js";

/**
 * The fast (LLM-free) MemReader: packs consecutive chat turns into token windows with overlap,
 * each rendered with speakers and absolute times; documents into heading-aware chunks.
 * Output is deterministic apart from ids and created_at/updated_at (and valid_at when neither
 * the messages nor `ctx.now` give a time).
 *
 * Relative dates in a turn ("yesterday", "last week", "on Friday") are annotated with the
 * absolute date against that turn's time ("yesterday [7 May 2023]", see `resolveRelativeDates`);
 * the sources keep the words exactly as written. Pronouns are not rewritten: every line starts
 * with its speaker's name, which says who "I" is. Set `resolveDates: false` to keep lines verbatim.
 *
 * Windows never exceed `windowTokens` (cl100k, header and date annotations included), except in
 * one impossible case: a speaker name so long that the header and name alone leave fewer than 8
 * tokens for content.
 *
 * @example
 * const reader = new FastMemReader({ windowTokens: 192, overlapTokens: 48 });
 * const items = reader.readChat(
 *   [{ role: "user", speaker: "Caroline", content: "I went to a support group yesterday.", chat_time: "1:56 pm on 8 May, 2023" }],
 *   { userId: "u1", sessionId: "s1", cubeId: "c1" },
 * );
 * items[0].memory; // "Monday 8 May 2023, 1:56 pm UTC\nCaroline: I went to a support group yesterday [7 May 2023]."
 */
export class FastMemReader implements MemReader {
  readonly mode = "fast" as const;
  readonly sizes: Readonly<ResolvedSizes>;
  readonly resolveDates: boolean;
  readonly granularity: ChatGranularity;

  constructor(options: FastReaderOptions = {}) {
    this.sizes = resolveSizes(options);
    this.resolveDates = options.resolveDates ?? true;
    this.granularity = options.granularity ?? DEFAULT_GRANULARITY;
  }

  /**
   * Chat messages → memory items, one per window. Messages are validated first (InvalidInputError
   * naming the first bad position); an empty list is an error, not a silent no-op.
   *
   * @example
   * new FastMemReader().readChat([{ role: "user", content: "I like tea" }], { now: "2024-01-01T09:00:00Z" });
   */
  readChat(messages: ChatMessage[], ctx: ReadContext = {}): TextualMemoryItem[] {
    const msgs = validateChatMessages(messages);
    const now = resolveNow(ctx);
    const turns = chatTurns(msgs, ctx, now, { sizes: this.sizes, resolveDates: this.resolveDates });
    const out: TextualMemoryItem[] = [];
    if (this.granularity !== "turn") {
      for (const w of packWindows(turns, this.sizes)) {
        // A window of one turn says what that turn's own memory says: keep the turn's alone.
        if (this.granularity === "both" && w.turns.length === 1) continue;
        const item = fastWindowItem(w, ctx, now);
        if (this.granularity === "both") item.metadata.tags = [...(item.metadata.tags ?? []), WINDOW_TAG];
        out.push(item);
      }
    }
    if (this.granularity !== "window") for (const t of turns) out.push(fastTurnItem(t, ctx, now));
    return out;
  }

  /**
   * A Markdown, plain-text or HTML document → chunk items (see `readDocument` in document.ts).
   * HTML is converted to Markdown first, so its headings become heading paths.
   *
   * @example
   * new FastMemReader().readDocument("# Setup\n\n## Install\n\nRun npm install.", { docPath: "README.md" });
   */
  readDocument(text: string, opts: DocumentReadOptions = {}, ctx: ReadContext = {}): TextualMemoryItem[] {
    return readDocument(text, opts, ctx, this.sizes);
  }

  /**
   * Read a document file (.txt, .md/.markdown, .html/.htm, .pdf; see `loadDocumentFile`) into
   * chunk items whose sources carry `doc_path` (and `page` for PDFs). Not UTF-8, an unknown
   * extension, an encrypted or corrupt PDF, or no text at all → InvalidInputError with a hint.
   *
   * @example
   * const items = await new FastMemReader().readDocumentFile("docs/guide.pdf", { userId: "u1", cubeId: "c1" });
   */
  async readDocumentFile(path: string, ctx: ReadContext = {}): Promise<TextualMemoryItem[]> {
    const doc = await loadDocumentFile(path);
    return this.readDocument(doc.text, { docPath: doc.path, format: doc.format }, ctx);
  }
}
