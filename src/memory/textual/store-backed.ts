import { ConfigError } from "../../core/errors/config-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { type Embedder, embedMany } from "../../core/interfaces/embedder.js";
import type { MemoryStore, StoredItem } from "../../core/interfaces/store.js";
import { type FilterNode, normalizeFilter } from "../../core/schema/filter.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { embeddingText } from "../../retrieve/vectors.js";
import { addUnlessStored } from "./ingest-keys.js";
import { applyUpdate, historyOf, textAtVersion } from "./item-ops.js";
import { readTextualMemory, writeTextualMemory } from "./persist.js";
import type { AddContext, GetAllOptions, MemoryHistory, TextSearchOptions, UpdatePatch } from "./types.js";

/**
 * What general and tree memories share: items with vectors in a MemoryStore, and the plain
 * operations on them (get, update with history, rollback, delete, dump/load). Subclasses add
 * reading (chat, documents) and search.
 */
export abstract class StoreBackedTextMemory {
  readonly store: MemoryStore;
  readonly embedder: Embedder;

  protected constructor(store: MemoryStore, embedder: Embedder) {
    this.store = store;
    this.embedder = embedder;
    const dims = store.dimensions;
    if (dims !== undefined && dims !== embedder.dimensions) {
      throw new ConfigError({
        message: `the store holds ${dims}-d vectors but the embedder "${embedder.modelId}" makes ${embedder.dimensions}-d ones`,
        hint: "use the embedder the cube was built with, or dump and load the cube to re-embed it",
      });
    }
  }

  /** Embed items in batches (progress reported per batch), ready for `addItems`. */
  protected async embedItems(items: TextualMemoryItem[], context: AddContext = {}): Promise<StoredItem[]> {
    const vectors: Float32Array[] = [];
    const batch = Math.max(1, Math.min(this.embedder.maxBatch, 256));
    for (let i = 0; i < items.length; i += batch) {
      vectors.push(...(await this.embedder.doEmbed(items.slice(i, i + batch).map(embeddingText))));
      context.onProgress?.(Math.min(i + batch, items.length), items.length);
    }
    return items.map((item, i) => ({ item: withoutEmbedding(item), embedding: vectors[i] }));
  }

  /** Embed and store items; all of them commit together or none does (one `addItems` batch). */
  protected async storeItems(items: TextualMemoryItem[], context: AddContext): Promise<TextualMemoryItem[]> {
    const stored = await this.embedItems(withContextLabels(items, context), context);
    // Items read from messages carry their message keys: the check for messages another writer
    // stored meanwhile runs under the write lock (see ingest-keys.ts).
    return (await addUnlessStored(this.store, stored)).map((s) => s.item);
  }

  /** Throws NotFoundError when absent. */
  async get(id: string): Promise<TextualMemoryItem> {
    const item = await this.store.getItem(id);
    if (!item) throw new NotFoundError({ message: `no memory ${id}`, hint: "list ids with `memos list`" });
    return item;
  }

  async getMany(ids: string[]): Promise<TextualMemoryItem[]> {
    return this.store.getItems(ids);
  }

  async getAll(options: GetAllOptions = {}): Promise<TextualMemoryItem[]> {
    return this.store.listItems({ filter: options.filter, limit: options.limit, offset: options.offset });
  }

  /** Change a memory; the old text goes to `history`, `version` goes up, the vector follows the text. */
  async update(id: string, patch: UpdatePatch, updateType = "update"): Promise<TextualMemoryItem> {
    return this.store.transaction(async (tx) => {
      const old = await tx.getItem(id);
      if (!old) throw new NotFoundError({ message: `no memory ${id}`, hint: "list ids with `memos list`" });
      const next = withoutEmbedding(applyUpdate(old, patch, updateType));
      const vector =
        next.memory === old.memory ? undefined : (await this.embedder.doEmbed([embeddingText(next)]))[0];
      await tx.updateItem(id, next, vector);
      return next;
    });
  }

  /** Hard delete (with vectors and edges). Returns how many existed. */
  async delete(ids: string[]): Promise<number> {
    return this.store.deleteItems(ids);
  }

  async deleteAll(): Promise<number> {
    return this.store.deleteWhere();
  }

  async history(id: string): Promise<MemoryHistory> {
    return historyOf(await this.get(id));
  }

  /** Restore the text of an earlier version, as a new version (history is never rewritten). */
  async rollback(id: string, toVersion: number): Promise<TextualMemoryItem> {
    const item = await this.get(id);
    return this.update(id, { memory: textAtVersion(item, toVersion) }, "rollback");
  }

  /** Write MemOS's `textual_memory.json` (with embeddings and edges) into `dir`; returns the file path. */
  async dump(dir: string): Promise<string> {
    return writeTextualMemory(dir, await this.store.exportAll());
  }

  /**
   * Load a `textual_memory.json` (ours or MemOS's), merging by id; edges come along. Embeddings
   * of another dimension, or all of them with `reembed`, are recomputed with this memory's embedder.
   */
  async load(dir: string, options: { reembed?: boolean } = {}): Promise<number> {
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

export function withoutEmbedding(item: TextualMemoryItem): TextualMemoryItem {
  if (item.metadata.embedding == null) return item;
  const { embedding: _drop, ...metadata } = item.metadata;
  return { ...item, metadata: metadata as TextualMemoryItem["metadata"] };
}

/** The caller's filter, restricted to activated memories unless asked otherwise. */
export function activeFilter(
  options: Pick<TextSearchOptions, "filter" | "includeInactive">,
): FilterNode | undefined {
  const user = options.filter ? normalizeFilter(options.filter) : undefined;
  if (options.includeInactive) return user;
  const status: FilterNode = { kind: "cmp", field: "status", op: "eq", value: "activated" };
  return user ? { kind: "and", children: [status, user] } : status;
}

/** Items with the add's `tags` merged in and its `info` fields set (existing fields win). */
function withContextLabels(items: TextualMemoryItem[], context: AddContext): TextualMemoryItem[] {
  const tags = context.tags ?? [];
  const info = context.info ?? {};
  if (tags.length === 0 && Object.keys(info).length === 0) return items;
  return items.map((item) => ({
    ...item,
    metadata: {
      ...info,
      ...item.metadata,
      tags: [...new Set([...item.metadata.tags, ...tags])],
    },
  }));
}
