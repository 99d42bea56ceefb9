import type { FilterNode, MemoryFilter } from "../schema/filter.js";
import type { EdgeType, MemoryEdge, TextualMemoryExport, TextualMemoryItem } from "../schema/memory.js";

/** An item with its embedding, as stores keep it. `metadata.embedding` is never stored twice. */
export interface StoredItem {
  item: TextualMemoryItem;
  /** Optional: items without a vector are still found by keyword and graph search. */
  embedding?: Float32Array;
}

/** A memory id with its search score (higher is better). */
export interface ScoredId {
  id: string;
  /** Higher is better. vectorSearch: cosine similarity in [-1, 1]; keywordSearch: BM25 (>0). */
  score: number;
}

/** A store search: how many results and an optional filter. */
export interface SearchOptions {
  k: number;
  /** Filter DSL (see core/schema/filter.ts); raw or already normalised. */
  filter?: MemoryFilter | FilterNode;
}

/** Filtering, ordering and paging for `MemoryStore.listItems`. */
export interface ListOptions {
  filter?: MemoryFilter | FilterNode;
  limit?: number;
  offset?: number;
  /** Default "created_at". Ties are broken by id, so paging is stable. */
  orderBy?: "created_at" | "updated_at";
  order?: "asc" | "desc";
}

/** Which edges a neighbour lookup follows: direction and edge types. */
export interface NeighborOptions {
  direction?: "out" | "in" | "both";
  types?: EdgeType[];
}

/** Nodes and the edges among them, as a store returns a neighbourhood. */
export interface Subgraph {
  nodes: TextualMemoryItem[];
  edges: MemoryEdge[];
}

/**
 * Where textual memories live. One store instance holds one cube. Every adapter runs the shared
 * conformance suite (`src/testing/store-conformance.ts`), so callers can rely on these semantics:
 *
 * - writes are atomic: `addItems` of a batch commits all items with their vectors and keyword
 *   index rows, or none; `transaction` groups several calls the same way;
 * - `addItems` with an existing id fails (use `updateItem` / `upsertItems`);
 * - `embedding` dimensions are fixed by the first vector stored; a mismatch is a StorageError;
 * - searches never return items filtered out, and return at most k results, best first;
 * - ids that do not exist are ignored by deletes and missing from `getItems` results.
 */
export interface MemoryStore {
  readonly specificationVersion: "v1";
  readonly provider: string;
  /** Vector dimension, once known. */
  readonly dimensions: number | undefined;

  addItems(items: StoredItem[]): Promise<void>;
  /** Insert or replace by id (replacing the vector when one is given, keeping it otherwise). */
  upsertItems(items: StoredItem[]): Promise<void>;
  getItem(id: string): Promise<TextualMemoryItem | null>;
  getItems(ids: string[]): Promise<TextualMemoryItem[]>;
  getEmbedding(id: string): Promise<Float32Array | null>;
  /** Replace one item's text/metadata (and vector when given). Throws NotFoundError if absent. */
  updateItem(id: string, item: TextualMemoryItem, embedding?: Float32Array): Promise<void>;
  /** Hard delete, with their vectors, keyword rows and edges. Returns how many existed. */
  deleteItems(ids: string[]): Promise<number>;
  /** Hard delete of everything matching (all when no filter). Returns how many. */
  deleteWhere(filter?: MemoryFilter | FilterNode): Promise<number>;
  listItems(options?: ListOptions): Promise<TextualMemoryItem[]>;
  count(filter?: MemoryFilter | FilterNode): Promise<number>;

  vectorSearch(vector: Float32Array, options: SearchOptions): Promise<ScoredId[]>;
  /** BM25 over memory text, key and tags. Query text is data, never query syntax. */
  keywordSearch(query: string, options: SearchOptions): Promise<ScoredId[]>;

  addEdges(edges: MemoryEdge[]): Promise<void>;
  removeEdges(edges: Pick<MemoryEdge, "source" | "target" | "type">[]): Promise<number>;
  getEdges(id: string, options?: NeighborOptions): Promise<MemoryEdge[]>;
  /** Ids one hop away. */
  neighbors(id: string, options?: NeighborOptions): Promise<string[]>;
  /** Nodes within `depth` hops of the seeds (both directions), and the edges among them. */
  subgraph(seedIds: string[], depth: number, options?: { types?: EdgeType[] }): Promise<Subgraph>;

  /** MemOS `textual_memory.json` shape; embeddings go into `metadata.embedding`. */
  exportAll(): Promise<TextualMemoryExport>;
  /** Load an export (replace: wipe first; merge: upsert). Re-uses `metadata.embedding` when its dimension fits. */
  importAll(data: TextualMemoryExport, options?: { mode?: "replace" | "merge" }): Promise<void>;

  /** Run `fn` atomically: all of its writes commit together or none does. */
  transaction<T>(fn: (tx: MemoryStore) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
