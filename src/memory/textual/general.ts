import { ConfigError } from "../../core/errors/config-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { type Embedder, embedMany } from "../../core/interfaces/embedder.js";
import type { MemoryStore, StoredItem } from "../../core/interfaces/store.js";
import { type FilterNode, normalizeFilter } from "../../core/schema/filter.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { type ChatMessage, type ChatSession, FastMemReader } from "../../reader/index.js";
import { fuseRrf } from "../../retrieve/rrf.js";
import {
  applyUpdate,
  historyOf,
  materialize,
  requireQuery,
  requireReferenceTime,
  requireTopK,
  temporalFactor,
  textAtVersion,
} from "./item-ops.js";
import { readTextualMemory, writeTextualMemory } from "./persist.js";
import type {
  AddContext,
  GetAllOptions,
  MemoryHistory,
  MemoryInput,
  SearchHit,
  TextSearchOptions,
  TextMemory,
  UpdatePatch,
} from "./types.js";

export interface GeneralTextMemoryOptions {
  store: MemoryStore;
  embedder: Embedder;
  /** Turns messages and documents into items; the fast reader by default. */
  reader?: FastMemReader;
  /** Candidates fetched per recall path before fusion: max(topK × this, 50). Default 5. */
  candidateFactor?: number;
}

/**
 * Vector + keyword textual memory (MemOS's GeneralTextMemory) over any MemoryStore. Search is
 * hybrid: cosine KNN and BM25 run side by side and are fused with reciprocal rank fusion, so a
 * query finds its memory whether it shares the words or only the meaning.
 *
 * @example
 * const mem = new GeneralTextMemory({
 *   store: await createSqliteMemoryStore({ path: "cube.db" }),
 *   embedder: await createGloveEmbedder(),
 * });
 * await mem.addMessages([{ role: "user", content: "I adopted a puppy called Rex", chat_time: "2025-05-08T10:00:00Z" }]);
 * const [hit] = await mem.search("what is the name of my dog?");
 */
export class GeneralTextMemory implements TextMemory {
  readonly store: MemoryStore;
  readonly embedder: Embedder;
  readonly reader: FastMemReader;
  private readonly candidateFactor: number;

  constructor(options: GeneralTextMemoryOptions) {
    this.store = options.store;
    this.embedder = options.embedder;
    this.reader = options.reader ?? new FastMemReader();
    this.candidateFactor = options.candidateFactor ?? 5;
    const dims = this.store.dimensions;
    if (dims !== undefined && dims !== this.embedder.dimensions) {
      throw new ConfigError({
        message: `the store holds ${dims}-d vectors but the embedder "${this.embedder.modelId}" makes ${this.embedder.dimensions}-d ones`,
        hint: "use the embedder the cube was built with, or dump and load the cube to re-embed it",
      });
    }
  }

  /** Embed and store items; all of them commit together or none does. */
  async add(inputs: MemoryInput[], context: AddContext = {}): Promise<TextualMemoryItem[]> {
    return this.storeItems(materialize(inputs, context), context);
  }

  /** Read a conversation into memories (fast mode: token windows, no LLM) and store them. */
  async addMessages(messages: ChatMessage[], context: AddContext = {}): Promise<TextualMemoryItem[]> {
    if (context.mode === "fine") {
      throw new ConfigError({
        message: "fine mode needs an LLM and the tree memory",
        hint: "use mode \"fast\" with GeneralTextMemory, or TreeTextMemory with an LLM configured",
      });
    }
    return this.storeItems(this.reader.readChat(messages, context), context);
  }

  /**
   * Read several chat sessions (each with its own session id and time) and store them all in
   * one transaction: a bad session anywhere means nothing is written.
   */
  async addChatSessions(sessions: ChatSession[], context: AddContext = {}): Promise<TextualMemoryItem[]> {
    const items = sessions.flatMap((s) =>
      this.reader.readChat(s.messages, { ...context, sessionId: s.session_id ?? context.sessionId }),
    );
    return this.storeItems(items, context);
  }

  /** Chunk a text or Markdown document into memories with `doc_path` provenance. */
  async addDocument(
    text: string,
    options: { docPath?: string; format?: "md" | "txt" } = {},
    context: AddContext = {},
  ): Promise<TextualMemoryItem[]> {
    return this.storeItems(this.reader.readDocument(text, options, context), context);
  }

  private async storeItems(items: TextualMemoryItem[], context: AddContext): Promise<TextualMemoryItem[]> {
    const vectors: Float32Array[] = [];
    const batch = Math.max(1, Math.min(this.embedder.maxBatch, 256));
    for (let i = 0; i < items.length; i += batch) {
      vectors.push(...(await this.embedder.doEmbed(items.slice(i, i + batch).map(embeddingText))));
      context.onProgress?.(Math.min(i + batch, items.length), items.length);
    }
    const stored: StoredItem[] = items.map((item, i) => ({ item: withoutEmbedding(item), embedding: vectors[i] }));
    await this.store.addItems(stored);
    return stored.map((s) => s.item);
  }

  async search(query: string, options: TextSearchOptions = {}): Promise<SearchHit[]> {
    const q = requireQuery(query);
    const k = requireTopK(options);
    const ref = requireReferenceTime(options.referenceTime);
    const filter = activeFilter(options);
    const candidates = Math.max(k * this.candidateFactor, 50);
    const [vector] = await this.embedder.doEmbed([q]);
    const [byVector, byKeyword] = await Promise.all([
      vector ? this.store.vectorSearch(vector, { k: candidates, filter }) : [],
      this.store.keywordSearch(q, { k: candidates, filter }),
    ]);
    const fused = fuseRrf([
      { path: "vector" as const, results: byVector },
      { path: "keyword" as const, results: byKeyword },
    ]);
    // Without a reference time nothing re-ranks, so only the top k need loading.
    const wanted = ref === undefined ? fused.slice(0, k) : fused;
    const items = new Map((await this.store.getItems(wanted.map((f) => f.id))).map((i) => [i.id, i]));
    const hits: SearchHit[] = [];
    for (const f of wanted) {
      const item = items.get(f.id);
      if (!item) continue;
      const factor = ref === undefined ? 1 : temporalFactor(item, ref);
      if (factor > 0) hits.push({ item, score: f.score * factor, paths: f.paths });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, k);
  }

  async get(id: string): Promise<TextualMemoryItem> {
    const item = await this.store.getItem(id);
    if (!item) throw new NotFoundError({ message: `no memory ${id}`, hint: "list ids with `memos list`" });
    return item;
  }

  async getMany(ids: string[]) {
    return this.store.getItems(ids);
  }

  async getAll(options: GetAllOptions = {}) {
    return this.store.listItems({ filter: options.filter, limit: options.limit, offset: options.offset });
  }

  /** Change a memory; the old text goes to `history`, `version` goes up, the vector follows the text. */
  async update(id: string, patch: UpdatePatch, updateType = "update"): Promise<TextualMemoryItem> {
    return this.store.transaction(async (tx) => {
      const old = await tx.getItem(id);
      if (!old) throw new NotFoundError({ message: `no memory ${id}`, hint: "list ids with `memos list`" });
      const next = withoutEmbedding(applyUpdate(old, patch, updateType));
      const vector = next.memory === old.memory ? undefined : (await this.embedder.doEmbed([embeddingText(next)]))[0];
      await tx.updateItem(id, next, vector);
      return next;
    });
  }

  async delete(ids: string[]) {
    return this.store.deleteItems(ids);
  }

  async deleteAll() {
    return this.store.deleteWhere();
  }

  async history(id: string): Promise<MemoryHistory> {
    return historyOf(await this.get(id));
  }

  /** Restore the text of an earlier version, as a new version (history is never rewritten). */
  async rollback(id: string, toVersion: number) {
    const item = await this.get(id);
    return this.update(id, { memory: textAtVersion(item, toVersion) }, "rollback");
  }

  /** Write MemOS's `textual_memory.json` (with embeddings) into `dir`; returns the file path. */
  async dump(dir: string) {
    return writeTextualMemory(dir, await this.store.exportAll());
  }

  /**
   * Load a `textual_memory.json` (ours or MemOS's), merging by id. Embeddings of another
   * dimension, or all of them with `reembed`, are recomputed with this memory's embedder.
   */
  async load(dir: string, options: { reembed?: boolean } = {}) {
    const data = readTextualMemory(dir);
    const stale = data.nodes.filter(
      (n) => options.reembed || n.metadata.embedding?.length !== this.embedder.dimensions,
    );
    const vectors = await embedMany(this.embedder, stale.map(embeddingText));
    stale.forEach((n, i) => {
      n.metadata.embedding = Array.from(vectors[i] ?? []);
    });
    await this.store.importAll(data, { mode: "merge" });
    return data.nodes.length;
  }
}

/** What gets embedded: the memory text, with its key when the key adds words. */
function embeddingText(item: TextualMemoryItem): string {
  const key = item.metadata.key;
  return key && !item.memory.includes(key) ? `${key}. ${item.memory}` : item.memory;
}

function withoutEmbedding(item: TextualMemoryItem): TextualMemoryItem {
  if (item.metadata.embedding == null) return item;
  const { embedding: _drop, ...metadata } = item.metadata;
  return { ...item, metadata: metadata as TextualMemoryItem["metadata"] };
}

/** The caller's filter, restricted to activated memories unless asked otherwise. */
function activeFilter(options: TextSearchOptions): FilterNode | undefined {
  const user = options.filter ? normalizeFilter(options.filter) : undefined;
  if (options.includeInactive) return user;
  const status: FilterNode = { kind: "cmp", field: "status", op: "eq", value: "activated" };
  return user ? { kind: "and", children: [status, user] } : status;
}
