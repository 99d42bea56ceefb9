import { InvalidInputError, NotFoundError, StorageError } from "../../core/errors/index.js";
import type {
  ListOptions,
  MemoryStore,
  NeighborOptions,
  ScoredId,
  SearchOptions,
  StoredItem,
  Subgraph,
} from "../../core/interfaces/store.js";
import { type FilterNode, type MemoryFilter, matchesFilter } from "../../core/schema/filter.js";
import type {
  EdgeType,
  MemoryEdge,
  TextualMemoryExport,
  TextualMemoryItem,
} from "../../core/schema/memory.js";
import { resolveFilter } from "../shared/resolve-filter.js";
import { compareIds } from "../shared/search-strategy.js";
import { assertDistinctIds, importParams, listParams } from "../shared/store-input.js";
import { TransactionScope } from "../shared/transaction-scope.js";
import {
  assertDepth,
  assertId,
  assertIds,
  edgeTypes,
  prepareBatch,
  prepareItem,
  searchK,
} from "../shared/validate.js";
import { toVector } from "../shared/vector-input.js";
import { qdrantFilter } from "./filter.js";
import { PAYLOAD } from "./points.js";
import { countPoints, retrieve, scrollAll } from "./reads.js";
import { qdrantKeywordSearch, qdrantVectorSearch } from "./search.js";
import { Stage, type StoreState } from "./stage.js";

const NO_EDGES_HINT =
  "the Qdrant store is for general (vector) memory, which has no edges; use the sqlite, postgres or neo4j store for tree memory";

/** An open MemoryStore.transaction: its staged batch, changed one call at a time. */
class TxScope extends TransactionScope {
  constructor(readonly stage: Stage) {
    super();
  }
}

/**
 * MemoryStore on Qdrant for general (vector) memory, as MemOS's general memory keeps its vectors
 * in Qdrant: a point per memory (the memory as payload), cosine vector search, BM25 keyword
 * search over a payload full-text index, filters pushed into Qdrant where they are exact and run
 * on the payload otherwise. It holds no edges. Writes are staged and sent as one batch (see
 * ./stage.ts); inside a transaction, getItem/getItems see its own writes, searches and lists see
 * what is committed. Create it with {@link createQdrantVectorStore}.
 *
 * @example
 * const store: QdrantVectorStore = await createQdrantVectorStore({ url, collection: "alice" });
 */
export class QdrantVectorStore implements MemoryStore {
  readonly specificationVersion = "v1" as const;
  readonly provider = "qdrant";

  /** @internal Use createQdrantVectorStore. */
  constructor(
    private readonly state: StoreState,
    private readonly scope?: TxScope,
  ) {}

  get dimensions(): number | undefined {
    return this.scope?.stage.dimensions ?? this.state.dimensions;
  }

  private check(): void {
    if (this.state.closed)
      throw new StorageError({ message: "the Qdrant store is closed", hint: "open a new store" });
    this.scope?.assertOpen();
  }

  private async write<T>(work: (stage: Stage) => Promise<T>): Promise<T> {
    this.check();
    const scope = this.scope;
    if (scope) return scope.serial(() => work(scope.stage));
    const stage = new Stage(this.state);
    const result = await work(stage);
    await stage.commit();
    return result;
  }

  private get ref() {
    return this.state.ref;
  }

  /** Every memory of the cube passing the filter (paged through; the filter's inexact part runs here). */
  private async matching(node: FilterNode | undefined): Promise<TextualMemoryItem[]> {
    if (!this.state.collectionExists) return [];
    const { filter, exact } = qdrantFilter(this.state.cube, node);
    const items = (await scrollAll(this.ref, filter)).map((p) => p.item);
    return exact || !node
      ? items
      : items.filter((x) => matchesFilter(x as Parameters<typeof matchesFilter>[0], node));
  }

  async addItems(batch: StoredItem[]): Promise<void> {
    const prepared = prepareBatch(batch, "addItems");
    if (prepared.length === 0) return;
    await this.write(async (stage) => {
      assertDistinctIds(prepared.map((p) => p.id));
      const [taken] = await stage.existing(prepared.map((p) => p.id));
      if (taken !== undefined) {
        throw new StorageError({
          message: `addItems: memory ${taken} already exists; nothing was written`,
          hint: "use upsertItems or updateItem to replace a memory",
        });
      }
      stage.checkDimensions(prepared);
      stage.putPoints(prepared);
    });
  }

  async upsertItems(batch: StoredItem[]): Promise<void> {
    const prepared = prepareBatch(batch, "upsertItems");
    if (prepared.length === 0) return;
    await this.write(async (stage) => {
      stage.checkDimensions(prepared);
      const existing = await stage.existing(prepared.map((p) => p.id));
      // A memory given without a vector keeps the one it has.
      stage.putPoints(prepared.filter((p) => p.vector || !existing.has(p.id)));
      for (const p of prepared) if (!p.vector && existing.has(p.id)) stage.setPayload(p);
    });
  }

  async getItem(id: string): Promise<TextualMemoryItem | null> {
    assertId(id, "getItem id");
    return (await this.getItems([id]))[0] ?? null;
  }

  async getItems(ids: string[]): Promise<TextualMemoryItem[]> {
    assertIds(ids, "getItems");
    this.check();
    const unique = [...new Set(ids)];
    const overlay = this.scope?.stage.overlay;
    const ask = unique.filter((id) => overlay?.get(id) === undefined);
    const found = new Map<string, TextualMemoryItem>();
    if (ask.length > 0 && this.state.collectionExists) {
      for (const p of await retrieve(this.ref, this.state.cube, ask)) found.set(p.item.id, p.item);
    }
    return unique.flatMap((id) => {
      const staged = overlay?.get(id);
      if (staged !== undefined) return staged ? [staged.item] : [];
      return found.get(id) ?? [];
    });
  }

  async getEmbedding(id: string): Promise<Float32Array | null> {
    assertId(id, "getEmbedding id");
    this.check();
    const staged = this.scope?.stage.overlay.get(id);
    if (staged === null) return null;
    if (staged?.vector) return staged.vector;
    if (!this.state.collectionExists) return null;
    const [point] = await retrieve(this.ref, this.state.cube, [id], true);
    const copy = point?.payload[PAYLOAD.vector];
    return Array.isArray(copy) ? Float32Array.from(copy as number[]) : null;
  }

  async updateItem(id: string, item: TextualMemoryItem, embedding?: Float32Array): Promise<void> {
    assertId(id, "updateItem id");
    const prepared = prepareItem(
      { item: { ...item, id }, ...(embedding !== undefined ? { embedding } : {}) },
      "updateItem",
    );
    await this.write(async (stage) => {
      if (!(await stage.existing([id])).has(id)) {
        throw new NotFoundError({ message: `no memory ${id}`, hint: "add it first, or use upsertItems" });
      }
      stage.checkDimensions([prepared]);
      if (prepared.vector) stage.putPoints([prepared]);
      else stage.setPayload(prepared);
    });
  }

  async deleteItems(ids: string[]): Promise<number> {
    assertIds(ids, "deleteItems");
    if (ids.length === 0) return 0;
    return this.write(async (stage) => {
      const existing = [...(await stage.existing(ids))];
      stage.delete(existing);
      return existing.length;
    });
  }

  async deleteWhere(filter?: MemoryFilter | FilterNode): Promise<number> {
    const node = resolveFilter(filter);
    return this.write(async (stage) => {
      const ids = new Set((await this.matching(node)).map((x) => x.id));
      for (const [id, staged] of stage.overlay) {
        if (staged === null) ids.delete(id);
        else if (!node || matchesFilter(staged.item as Parameters<typeof matchesFilter>[0], node))
          ids.add(id);
        else ids.delete(id);
      }
      stage.delete([...ids]);
      return ids.size;
    });
  }

  async listItems(options: ListOptions = {}): Promise<TextualMemoryItem[]> {
    const { limit, offset, orderBy, order } = listParams(options);
    const node = resolveFilter(options.filter);
    this.check();
    if (limit === 0) return [];
    // Qdrant orders only by indexed numbers and datetimes; dates here are strings ordered as SQL
    // orders them (missing first), so the cube's matches are sorted here.
    const key = (x: TextualMemoryItem) => x.metadata[orderBy] ?? null;
    const sorted = (await this.matching(node)).sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const byKey = ka === kb ? 0 : ka === null ? -1 : kb === null ? 1 : ka < kb ? -1 : 1;
      return byKey || compareIds(a.id, b.id);
    });
    if (order === "desc") sorted.reverse();
    return sorted.slice(offset, limit === undefined ? undefined : offset + limit);
  }

  async count(filter?: MemoryFilter | FilterNode): Promise<number> {
    const node = resolveFilter(filter);
    this.check();
    if (!this.state.collectionExists) return 0;
    const { filter: pushed, exact } = qdrantFilter(this.state.cube, node);
    return exact ? countPoints(this.ref, pushed) : (await this.matching(node)).length;
  }

  async vectorSearch(vector: Float32Array, options: SearchOptions): Promise<ScoredId[]> {
    const k = searchK(options);
    const query = toVector(vector, "query vector");
    const node = resolveFilter(options.filter);
    this.check();
    const dims = this.state.dimensions;
    if (dims === undefined || !this.state.collectionExists) return [];
    if (query.length !== dims) {
      throw new StorageError({
        message: `query vector has ${query.length} dimensions, the collection's vectors have ${dims}`,
        hint: "embed the query with the cube's embedder",
      });
    }
    return qdrantVectorSearch(this.ref, this.state.cube, query, k, node);
  }

  async keywordSearch(query: string, options: SearchOptions): Promise<ScoredId[]> {
    const k = searchK(options);
    if (typeof query !== "string") {
      throw new InvalidInputError({
        message: "keywordSearch query must be a string",
        hint: 'e.g. "green tea"',
      });
    }
    const node = resolveFilter(options.filter);
    this.check();
    if (!this.state.collectionExists) return [];
    return qdrantKeywordSearch(this.ref, this.state.cube, query, k, node);
  }

  async addEdges(edges: MemoryEdge[]): Promise<void> {
    if (Array.isArray(edges) && edges.length === 0) return;
    throw new StorageError({
      message: "the Qdrant store holds no edges; nothing was written",
      hint: NO_EDGES_HINT,
    });
  }

  /** There are no edges, so none is removed. */
  async removeEdges(_edges: Pick<MemoryEdge, "source" | "target" | "type">[]): Promise<number> {
    return 0;
  }

  async getEdges(id: string, options: NeighborOptions = {}): Promise<MemoryEdge[]> {
    assertId(id, "getEdges id");
    edgeTypes(options.types);
    return [];
  }

  async neighbors(id: string, options: NeighborOptions = {}): Promise<string[]> {
    assertId(id, "neighbors id");
    edgeTypes(options.types);
    return [];
  }

  /** The seeds that exist (there are no edges to follow). */
  async subgraph(seedIds: string[], depth: number, options: { types?: EdgeType[] } = {}): Promise<Subgraph> {
    assertIds(seedIds, "subgraph seeds");
    assertDepth(depth);
    edgeTypes(options.types);
    return { nodes: await this.getItems(seedIds), edges: [] };
  }

  async exportAll(): Promise<TextualMemoryExport> {
    this.check();
    if (!this.state.collectionExists) return { nodes: [], edges: [], total_nodes: 0, total_edges: 0 };
    const { filter } = qdrantFilter(this.state.cube, undefined);
    const nodes = (await scrollAll(this.ref, filter, false, true)).map((p) => {
      const copy = p.payload[PAYLOAD.vector];
      return Array.isArray(copy)
        ? { ...p.item, metadata: { ...p.item.metadata, embedding: copy as number[] } }
        : p.item;
    });
    nodes.sort((a, b) => compareIds(a.id, b.id));
    return { nodes, edges: [], total_nodes: nodes.length, total_edges: 0 };
  }

  async importAll(data: TextualMemoryExport, options: { mode?: "replace" | "merge" } = {}): Promise<void> {
    const { nodes, edges, mode } = importParams(data, options);
    if (edges.length > 0) {
      throw new InvalidInputError({
        message: `import data has ${edges.length} edges; nothing was imported`,
        hint: NO_EDGES_HINT,
      });
    }
    const dims =
      this.dimensions ?? nodes.find((n) => n.metadata.embedding?.length)?.metadata.embedding?.length;
    const batch = nodes.map((node) => {
      const { embedding, ...metadata } = node.metadata;
      // A vector of another size came from another embedder: keep the memory, drop the vector.
      const vector =
        embedding && embedding.length > 0 && embedding.length === dims
          ? Float32Array.from(embedding)
          : undefined;
      return { item: { ...node, metadata }, ...(vector ? { embedding: vector } : {}) } as StoredItem;
    });
    // One batch: a replace never leaves the cube emptied but not refilled.
    await this.transaction(async (tx) => {
      if (mode === "replace") await tx.deleteWhere();
      await tx.upsertItems(batch);
    });
  }

  async transaction<T>(fn: (tx: MemoryStore) => Promise<T>): Promise<T> {
    this.check();
    if (this.scope) {
      const restore = this.scope.stage.mark();
      try {
        return await fn(this);
      } catch (error) {
        restore(); // a nested failure undoes only its own writes
        throw error;
      }
    }
    const scope = new TxScope(new Stage(this.state));
    try {
      const result = await fn(new QdrantVectorStore(this.state, scope));
      await scope.serial(async () => undefined); // let every call the function started finish
      scope.open = false;
      await scope.stage.commit();
      return result;
    } finally {
      scope.open = false;
    }
  }

  async close(): Promise<void> {
    if (!this.scope) this.state.closed = true;
  }
}
