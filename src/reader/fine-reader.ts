import { ConfigError } from "../core/errors/index.js";
import { newId } from "../core/ids.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import { logger } from "../core/logger.js";
import type { SourceMessage, TextualMemoryItem } from "../core/schema/memory.js";
import { parseChatTime } from "../core/time.js";
import { generateObject } from "../providers/shared/generate-object.js";
import { type ChatMessage, validateChatMessages } from "./chat-schema.js";
import {
  chatTurns,
  packWindows,
  renderWindow,
  type Turn,
  turnsToMessages,
  windowSources,
} from "./chat-windows.js";
import { baseMetadata, type ResolvedSizes, resolveNow, resolveSizes } from "./common.js";
import { chunkItems, type DocChunk, documentChunks, splitChunk } from "./document.js";
import { FastMemReader } from "./fast-reader.js";
import { cleanTags, isModelFailure, mapLimit, uniqueByValue } from "./fine-helpers.js";
import type {
  Extracted,
  FineFallback,
  FineReaderOptions,
  FineReaderStats,
  FineReadReport,
  FineUpgrade,
} from "./fine-types.js";
import { loadDocumentFile } from "./parsers/load.js";
import { buildChatExtractionPrompt, ChatExtraction } from "./templates/extract-chat.js";
import { buildDocExtractionPrompt, DocExtraction } from "./templates/extract-doc.js";
import { formatStamp } from "./text.js";
import type { DocumentReadOptions, MemReader, ReadContext } from "./types.js";

export type {
  FineFallback,
  FineReaderOptions,
  FineReaderStats,
  FineReadReport,
  FineUpgrade,
} from "./fine-types.js";

const DEFAULT_FINE_WINDOW = 1024;
const DEFAULT_FINE_OVERLAP = 128;

/**
 * The fine MemReader: an LLM reads each chat window (or document chunk) and writes memories,
 * one fact each, in the third person, with relative dates made absolute against the message
 * time and speakers named (prompts in `templates/`). Items carry the model's key, memory_type
 * (UserMemory for facts about the user, else LongTermMemory), tags plus "mode:fine", the
 * window's background, and the window's turns as sources.
 *
 * Nothing said is lost: when the model fails on a window (LLMOutputError, ProviderError) or
 * finds nothing, that window is kept as fast items (tagged "mode:fast"), the fallback is logged
 * at warn, counted in `stats`, returned by the `*Report` methods and passed to `onFallback`.
 * Other errors (bad input, bad configuration) are thrown.
 *
 * @example
 * const reader = new FineMemReader({ llm: createOpenAI({ model: "gpt-4o-mini" }) });
 * const items = await reader.readChat(
 *   [{ role: "user", speaker: "Caroline", content: "I went to a support group yesterday.", chat_time: "2023-05-08T13:56:00Z" }],
 *   { userId: "u1", cubeId: "c1" },
 * );
 * items[0].memory; // "Caroline went to a support group on 7 May 2023."
 */
export class FineMemReader implements MemReader {
  readonly mode = "fine" as const;
  readonly sizes: Readonly<ResolvedSizes>;
  /** Reads the fallbacks. */
  readonly fast: FastMemReader;
  private readonly llm: LanguageModel;
  private readonly maxTokens: number;
  private readonly temperature: number;
  private readonly concurrency: number;
  private readonly onFallback: ((f: FineFallback) => void) | undefined;
  private readonly counts: FineReaderStats = { windows: 0, fine: 0, fallbacks: 0, errors: 0 };

  constructor(options: FineReaderOptions) {
    if (!options?.llm)
      throw new ConfigError({
        message: "the fine reader needs an LLM",
        hint: "pass { llm } (e.g. MEMOS_LLM=openai:gpt-4o-mini), or use the fast reader",
      });
    const windowTokens = options.windowTokens ?? DEFAULT_FINE_WINDOW;
    this.sizes = resolveSizes({
      windowTokens,
      overlapTokens: options.overlapTokens ?? Math.min(DEFAULT_FINE_OVERLAP, Math.floor(windowTokens / 4)),
    });
    this.fast = new FastMemReader(options.fast);
    this.llm = options.llm;
    this.maxTokens = options.maxTokens ?? 1024;
    this.temperature = options.temperature ?? 0;
    const concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new ConfigError({
        message: `fine reader concurrency must be an integer >= 1, got ${concurrency}`,
      });
    this.concurrency = concurrency;
    this.onFallback = options.onFallback;
  }

  /** Windows sent, fine results and fallbacks so far. */
  get stats(): Readonly<FineReaderStats> {
    return { ...this.counts };
  }

  /**
   * Chat messages → fine memory items (see the class doc). Empty or malformed input is an
   * InvalidInputError, as for the fast reader.
   *
   * @example
   * const items = await reader.readChat(messages, { userId: "u1", sessionId: "s1", cubeId: "c1" });
   */
  async readChat(messages: ChatMessage[], ctx: ReadContext = {}): Promise<TextualMemoryItem[]> {
    return (await this.readChatReport(messages, ctx)).items;
  }

  /**
   * `readChat`, plus what fell back and why.
   *
   * @example
   * const { items, fallbacks } = await reader.readChatReport(messages, ctx);
   * if (fallbacks.length) console.warn(`${fallbacks.length} windows kept as fast items`);
   */
  async readChatReport(messages: ChatMessage[], ctx: ReadContext = {}): Promise<FineReadReport> {
    const msgs = validateChatMessages(messages);
    const now = resolveNow(ctx);
    // The model resolves dates itself; the lines it reads stay as written.
    const turns = chatTurns(msgs, ctx, now, { sizes: this.sizes, resolveDates: false });
    const windows = packWindows(turns, this.sizes);
    const results = await mapLimit(windows, this.concurrency, (w) => this.extractChat(w.turns, ctx, now));
    const report: FineReadReport = { items: [], windows: windows.length, fine: 0, fallbacks: [] };
    results.forEach((r, i) => {
      if (r.ok) {
        report.fine++;
        report.items.push(...r.items);
        return;
      }
      const turnsOf = windows[i]?.turns ?? [];
      const kept = this.fast.readChat(turnsToMessages(turnsOf), { ...ctx, now });
      report.items.push(...kept);
      report.fallbacks.push(this.recordFallback({ ...r.fallback, keptIds: kept.map((k) => k.id) }));
    });
    return report;
  }

  /**
   * A document (md, txt, html, or PDF text as `loadDocumentFile` returns it) → fine items: it is
   * chunked as the fast reader does (at this reader's window size), and each chunk's facts are
   * extracted; a chunk that fails or yields nothing is kept as fast chunk items.
   *
   * @example
   * const items = await reader.readDocument(readme, { docPath: "README.md" }, { cubeId: "c1" });
   */
  async readDocument(
    text: string,
    opts: DocumentReadOptions = {},
    ctx: ReadContext = {},
  ): Promise<TextualMemoryItem[]> {
    return (await this.readDocumentReport(text, opts, ctx)).items;
  }

  /** `readDocument`, plus what fell back and why. */
  async readDocumentReport(
    text: string,
    opts: DocumentReadOptions = {},
    ctx: ReadContext = {},
  ): Promise<FineReadReport> {
    const chunks = documentChunks(text, opts, this.sizes);
    const now = resolveNow(ctx);
    const results = await mapLimit(chunks, this.concurrency, (c) =>
      this.extractDoc(c.text, opts.docPath, c.page, ctx, now),
    );
    const report: FineReadReport = { items: [], windows: chunks.length, fine: 0, fallbacks: [] };
    results.forEach((r, i) => {
      if (r.ok) {
        report.fine++;
        report.items.push(...r.items);
        return;
      }
      const chunk = chunks[i] as DocChunk;
      const kept = chunkItems(splitChunk(chunk, this.fast.sizes), opts.docPath, ctx, now);
      report.items.push(...kept);
      report.fallbacks.push(this.recordFallback({ ...r.fallback, keptIds: kept.map((k) => k.id) }));
    });
    return report;
  }

  /**
   * Read a document file (.txt, .md, .html, .pdf) into fine items; see `loadDocumentFile` for
   * the errors.
   *
   * @example
   * const items = await reader.readDocumentFile("handbook.pdf", { cubeId: "c1" });
   */
  async readDocumentFile(path: string, ctx: ReadContext = {}): Promise<TextualMemoryItem[]> {
    const doc = await loadDocumentFile(path);
    return this.readDocument(doc.text, { docPath: doc.path, format: doc.format }, ctx);
  }

  /**
   * Fine items for fast ones: each fast item's messages (rebuilt from its `sources`: role,
   * speaker, chat_time, content, message_id) or document chunk is extracted again by the model.
   * Returns one entry per item that got successors, in input order. Items that could not be
   * upgraded (model failure, nothing found, no sources, already "mode:fine") are left out and
   * reported through `onFallback`, the log and `stats`: keep them as they are.
   *
   * This does not touch any store: the caller soft-deletes each `from` item with `evolve_to`
   * set to the ids of `to`, and adds `to`.
   *
   * @example
   * for (const { from, to } of await reader.upgradeFastItems(fastItems, { now })) {
   *   await memory.replace(from, to); // soft-delete `from` with evolve_to = to.map((t) => t.id)
   * }
   */
  async upgradeFastItems(fastItems: TextualMemoryItem[], ctx: ReadContext = {}): Promise<FineUpgrade[]> {
    const now = resolveNow(ctx);
    const results = await mapLimit(fastItems, this.concurrency, (item) => this.upgradeOne(item, ctx, now));
    const out: FineUpgrade[] = [];
    results.forEach((r, i) => {
      const item = fastItems[i] as TextualMemoryItem;
      if (r.ok) out.push({ from: item.id, to: r.items });
      else this.recordFallback({ ...r.fallback, keptIds: [item.id] });
    });
    return out;
  }

  private async upgradeOne(item: TextualMemoryItem, ctx: ReadContext, now: string): Promise<Extracted> {
    const md = item.metadata;
    const itemCtx: ReadContext = {
      userId: md.user_id ?? ctx.userId,
      sessionId: md.session_id ?? ctx.sessionId,
      cubeId: md.cube_id ?? ctx.cubeId,
      now,
    };
    const sources = md.sources ?? [];
    // Already fine: nothing to upgrade. Untagged items (e.g. imported from MemOS) are tried.
    if ((md.tags ?? []).includes("mode:fine"))
      return { ok: false, fallback: { kind: "upgrade", reason: "already_fine" } };
    const chat = sources.filter(
      (s) => (s.type === "chat" || (s.type === undefined && s.role !== undefined)) && s.content?.trim(),
    );
    if (chat.length) {
      // Untimed sources were said when the fast item says its window was.
      const fallbackTime = parseChatTime(md.valid_at ?? undefined) ?? parseChatTime(md.created_at) ?? now;
      const messages = validateChatMessages(chat.map((s) => sourceToMessage(s)));
      const turns = chatTurns(messages, itemCtx, fallbackTime, { sizes: this.sizes, resolveDates: false });
      const r = await this.extractChat(turns, itemCtx, now);
      return r.ok ? r : { ok: false, fallback: { ...r.fallback, kind: "upgrade" } };
    }
    const doc = sources.find((s) => s.type === "doc");
    const text = doc?.content?.trim() ? doc.content : item.memory;
    if (doc || md.type === "doc") {
      const page = typeof doc?.page === "number" ? doc.page : undefined;
      const r = await this.extractDoc(text, doc?.doc_path, page, itemCtx, now);
      return r.ok ? r : { ok: false, fallback: { ...r.fallback, kind: "upgrade" } };
    }
    return { ok: false, fallback: { kind: "upgrade", reason: "no_sources" } };
  }

  private async extractChat(turns: Turn[], ctx: ReadContext, now: string): Promise<Extracted> {
    const first = turns[0] as Turn;
    const messageIds = [...new Set(turns.map((t) => t.messageId))];
    const speakers = [...new Map(turns.map((t) => [t.speaker, { name: t.speaker, role: t.role }])).values()];
    const prompt = buildChatExtractionPrompt({
      conversation: renderWindow(turns),
      time: formatStamp(first.time, first.dateOnly),
      timeIso: first.time,
      speakers,
    });
    this.counts.windows++;
    let answer: ChatExtraction;
    try {
      answer = (await generateObject(this.llm, prompt, ChatExtraction, this.callOptions("chat_memories")))
        .object;
    } catch (e) {
      if (!isModelFailure(e)) throw e;
      return { ok: false, fallback: { kind: "chat", reason: "llm_error", error: e, messageIds } };
    }
    const memories = uniqueByValue(answer.memories);
    if (!memories.length) return { ok: false, fallback: { kind: "chat", reason: "empty", messageIds } };
    const sources = windowSources(turns);
    const background = answer.background.trim();
    this.counts.fine++;
    return {
      ok: true,
      items: memories.map((m) =>
        this.fineItem(m.value, m.key, m.memory_type, m.tags, background, sources, ctx, now, {
          source: "conversation",
          valid_at: first.time,
        }),
      ),
    };
  }

  private async extractDoc(
    text: string,
    docPath: string | undefined,
    page: number | undefined,
    ctx: ReadContext,
    now: string,
  ): Promise<Extracted> {
    const where = { ...(docPath ? { docPath } : {}), ...(page !== undefined ? { page } : {}) };
    this.counts.windows++;
    let answer: DocExtraction;
    try {
      const prompt = buildDocExtractionPrompt({ text, ...where });
      answer = (await generateObject(this.llm, prompt, DocExtraction, this.callOptions("doc_memories")))
        .object;
    } catch (e) {
      if (!isModelFailure(e)) throw e;
      return { ok: false, fallback: { kind: "document", reason: "llm_error", error: e, ...where } };
    }
    const memories = uniqueByValue(answer.memories);
    if (!memories.length) return { ok: false, fallback: { kind: "document", reason: "empty", ...where } };
    const source: SourceMessage = {
      type: "doc",
      ...(docPath ? { doc_path: docPath } : {}),
      ...(page !== undefined ? { page } : {}),
      content: text,
    };
    const background = answer.background.trim();
    this.counts.fine++;
    return {
      ok: true,
      items: memories.map((m) =>
        this.fineItem(m.value, m.key, "LongTermMemory", m.tags, background, [source], ctx, now, {
          source: "file",
          tags: ["doc"],
        }),
      ),
    };
  }

  private fineItem(
    value: string,
    key: string,
    memoryType: string,
    tags: string[],
    background: string,
    sources: SourceMessage[],
    ctx: ReadContext,
    now: string,
    extra: { source: string; valid_at?: string; tags?: string[] },
  ): TextualMemoryItem {
    return {
      id: newId(),
      memory: value.trim(),
      metadata: {
        ...baseMetadata(ctx, now),
        type: "fact",
        memory_type: memoryType,
        key: key.trim(),
        tags: cleanTags(tags, [...(extra.tags ?? []), "mode:fine"]),
        background,
        source: extra.source,
        sources,
        ...(extra.valid_at ? { valid_at: extra.valid_at } : {}),
      },
    };
  }

  private callOptions(schemaName: string) {
    return { maxTokens: this.maxTokens, temperature: this.temperature, schemaName };
  }

  private recordFallback(f: FineFallback): FineFallback {
    this.counts.fallbacks++;
    if (f.reason === "llm_error") this.counts.errors++;
    const where = f.messageIds?.length ? { messageIds: f.messageIds } : { docPath: f.docPath, page: f.page };
    logger.warn(
      {
        kind: f.kind,
        reason: f.reason,
        ...where,
        keptIds: f.keptIds,
        ...(f.error ? { error: f.error.message, code: f.error.code } : {}),
      },
      f.kind === "upgrade"
        ? "fine reader: fast item not upgraded; it stays as it is"
        : "fine reader: no fine memories for this window; kept it as fast items",
    );
    this.onFallback?.(f);
    return f;
  }
}

/** A chat source back to the message it was made from (a midnight-UTC time reads as a date only). */
function sourceToMessage(s: SourceMessage): ChatMessage {
  const time = s.chat_time?.endsWith("T00:00:00.000Z") ? s.chat_time.slice(0, 10) : s.chat_time;
  return {
    role: s.role?.trim() || "user",
    content: s.content ?? "",
    ...(s.speaker ? { speaker: s.speaker } : {}),
    ...(time ? { chat_time: time } : {}),
    ...(s.message_id ? { message_id: s.message_id } : {}),
  };
}
