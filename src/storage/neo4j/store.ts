import { errorMessage, InvalidInputError, StorageError } from "../../core/errors/index.js";
import type {
  ListOptions,
  MemoryStore,
  NeighborOptions,
  ScoredId,
  SearchOptions,
  StoredItem,
  Subgraph,
} from "../../core/interfaces/store.js";
import { logger } from "../../core/logger.js";
import type { FilterNode, MemoryFilter } from "../../core/schema/filter.js";
import type {
  EdgeType,
  MemoryEdge,
  TextualMemoryExport,
  TextualMemoryItem,
} from "../../core/schema/memory.js";
import { resolveFilter } from "../shared/resolve-filter.js";
import { importParams, listParams } from "../shared/store-input.js";
import { TransactionScope } from "../shared/transaction-scope.js";
import { assertId, assertIds, prepareBatch, prepareItem, searchK } from "../shared/validate.js";
import { toVector } from "../shared/vector-input.js";
import type { Neo4jConnection, OpenTransaction } from "./connection.js";
import * as cypher from "./cypher.js";
import * as graph from "./graph.js";
import * as items from "./items.js";
import { itemFromProperties } from "./properties.js";
import { annVectorSearch, exactVectorSearch, neo4jKeywordSearch } from "./search.js";
import type { Row, RunQuery } from "./server.js";

/** What the store and its transaction handles share. */
export interface Neo4jStoreState {
  conn: Neo4jConnection;
  cube: string;
  /** The cube's vector dimension (committed). */
  dimensions: number | undefined;
  /** The vector index exists with this cube's dimension. */
  annReady: boolean;
  closed: boolean;
}

/** An open MemoryStore.transaction: its Neo4j transaction, run one query at a time. */
class TxScope extends TransactionScope {
  /** A nested transaction failed: Neo4j has no savepoints, so the outer one cannot commit. */
  failed = false;
  pendingDimensions: number | undefined;
  constructor(readonly tx: OpenTransaction) {
    super();
  }
}

/**
 * Create an index on first use. Another cube of the same database may own the vector index with
 * another dimension; this cube is then searched exactly (logged), never wrongly.
 */
export async function ensureVectorIndex(conn: Neo4jConnection, dimensions: number): Promise<boolean> {
  const [existing] = await conn.schema(cypher.showVectorIndex());
  if (!existing) {
    await conn.schema(cypher.createVectorIndex(dimensions));
    return true;
  }
  const config = (existing.options as { indexConfig?: Record<string, unknown> } | undefined)?.indexConfig;
  const indexed = Number(config?.["vector.dimensions"]);
  if (indexed === dimensions) return true;
  logger.warn(
    { index: cypher.INDEX.vector, indexed, dimensions },
    "Neo4j vector index has another dimension: this cube's vectors are searched exactly",
  );
  return false;
}

/**
 * MemoryStore on Neo4j (≥ 5.18): memories are `:MemosMemory` nodes carrying a cube property, edges are
 * relationships, vectors live on the nodes behind a cosine vector index, and a full-text index
 * serves BM25. Create it with {@link createNeo4jMemoryStore}; it passes the shared conformance
 * suite against a real server (`NEO4J_URI`).
 *
 * @example
 * const store: Neo4jMemoryStore = await createNeo4jMemoryStore({ uri, user, password, cubeId: "alice" });
 */
export class Neo4jMemoryStore implements MemoryStore {
  readonly specificationVersion = "v1" as const;
  readonly provider = "neo4j";

  /** @internal Use createNeo4jMemoryStore. */
  constructor(
    private readonly state: Neo4jStoreState,
    private readonly scope?: TxScope,
  ) {}

  get dimensions(): number | undefined {
    return this.scope?.pendingDimensions ?? this.state.dimensions;
  }

  private check(): void {
    if (this.state.closed)
      throw new StorageError({ message: "the Neo4j store is closed", hint: "open a new store" });
    this.scope?.assertOpen();
  }

  private read<T>(work: (run: RunQuery) => Promise<T>): Promise<T> {
    this.check();
    const scope = this.scope;
    if (scope) return scope.serial(() => work(scope.tx.run));
    return this.state.conn.read(work);
  }

  private async write<T>(work: (scope: items.WriteScope) => Promise<T>): Promise<T> {
    this.check();
    const { state } = this;
    const tx = this.scope;
    if (tx) {
      return tx.serial(() =>
        work({
          run: tx.tx.run,
          cube: state.cube,
          dimensions: () => tx.pendingDimensions ?? state.dimensions,
          fixDimensions: (d) => {
            tx.pendingDimensions = d;
          },
        }),
      );
    }
    let fixed: number | undefined;
    const result = await state.conn.write((run) => {
      fixed = undefined; // a retried transaction starts again
      return work({
        run,
        cube: state.cube,
        dimensions: () => fixed ?? state.dimensions,
        fixDimensions: (d) => {
          fixed = d;
        },
      });
    });
    if (fixed !== undefined) await this.committedDimensions(fixed);
    return result;
  }

  private async committedDimensions(dimensions: number): Promise<void> {
    this.state.dimensions = dimensions;
    this.state.annReady = await ensureVectorIndex(this.state.conn, dimensions);
  }

  private filter(filter: MemoryFilter | FilterNode | undefined): FilterNode | undefined {
    return resolveFilter(filter);
  }

  async addItems(batch: StoredItem[]): Promise<void> {
    const prepared = prepareBatch(batch, "addItems");
    if (prepared.length === 0) return;
    await this.write((s) => items.addNodes(s, prepared));
  }

  async upsertItems(batch: StoredItem[]): Promise<void> {
    const prepared = prepareBatch(batch, "upsertItems");
    if (prepared.length === 0) return;
    await this.write((s) => items.upsertNodes(s, prepared));
  }

  async getItem(id: string): Promise<TextualMemoryItem | null> {
    assertId(id, "getItem id");
    return this.read(async (run) => (await items.readNodes(run, this.state.cube, [id]))[0] ?? null);
  }

  async getItems(ids: string[]): Promise<TextualMemoryItem[]> {
    assertIds(ids, "getItems");
    return this.read((run) => items.readNodes(run, this.state.cube, ids));
  }

  async getEmbedding(id: string): Promise<Float32Array | null> {
    assertId(id, "getEmbedding id");
    return this.read((run) => items.readVector(run, this.state.cube, id));
  }

  async updateItem(id: string, item: TextualMemoryItem, embedding?: Float32Array): Promise<void> {
    assertId(id, "updateItem id");
    const prepared = prepareItem(
      { item: { ...item, id }, ...(embedding !== undefined ? { embedding } : {}) },
      "updateItem",
    );
    await this.write((s) => items.updateNode(s, prepared));
  }

  async deleteItems(ids: string[]): Promise<number> {
    assertIds(ids, "deleteItems");
    if (ids.length === 0) return 0;
    return this.write(async (s) =>
      Number((await s.run(cypher.deleteNodes(s.cube, [...new Set(ids)])))[0]?.deleted ?? 0),
    );
  }

  async deleteWhere(filter?: MemoryFilter | FilterNode): Promise<number> {
    const node = this.filter(filter);
    return this.write(async (s) => Number((await s.run(cypher.deleteWhere(s.cube, node)))[0]?.deleted ?? 0));
  }

  async listItems(options: ListOptions = {}): Promise<TextualMemoryItem[]> {
    const { limit, offset, orderBy, order } = listParams(options);
    const node = this.filter(options.filter);
    if (limit === 0) return [];
    const query = cypher.listNodes(this.state.cube, node, { orderBy, order, offset, limit });
    return this.read(async (run) => (await run(query)).map((r) => itemFromProperties(r.props as Row)));
  }

  async count(filter?: MemoryFilter | FilterNode): Promise<number> {
    const query = cypher.countNodes(this.state.cube, this.filter(filter));
    return this.read(async (run) => Number((await run(query))[0]?.count ?? 0));
  }

  async vectorSearch(vector: Float32Array, options: SearchOptions): Promise<ScoredId[]> {
    const k = searchK(options);
    const query = toVector(vector, "query vector");
    const node = this.filter(options.filter);
    const dims = this.dimensions;
    if (dims === undefined) return [];
    if (query.length !== dims) {
      throw new StorageError({
        message: `query vector has ${query.length} dimensions, the cube's vectors have ${dims}`,
        hint: "embed the query with the cube's embedder",
      });
    }
    const { cube, conn } = this.state;
    // Inside a transaction only an exact search sees its uncommitted writes.
    if (this.state.annReady && !this.scope) {
      try {
        // A read of its own: a failed index query ends the Neo4j transaction it runs in.
        const hits = await conn.read((run) => annVectorSearch(run, cube, query, k, node));
        if (hits) return hits;
      } catch (error) {
        // An index still populating (or dropped by someone) must not fail a search: exact answers.
        logger.warn({ err: errorMessage(error), cube }, "Neo4j vector index query failed; searching exactly");
      }
    }
    return this.read((run) => exactVectorSearch(run, cube, query, k, node));
  }

  async keywordSearch(query: string, options: SearchOptions): Promise<ScoredId[]> {
    const k = searchK(options);
    if (typeof query !== "string") {
      throw new InvalidInputError({
        message: "keywordSearch query must be a string",
        hint: 'e.g. "green tea"',
      });
    }
    const node = this.filter(options.filter);
    return this.read((run) => neo4jKeywordSearch(run, this.state.cube, query, k, node));
  }

  async addEdges(edges: MemoryEdge[]): Promise<void> {
    return this.write((s) => graph.addEdges(s.run, s.cube, edges));
  }

  async removeEdges(edges: Pick<MemoryEdge, "source" | "target" | "type">[]): Promise<number> {
    return this.write((s) => graph.removeEdges(s.run, s.cube, edges));
  }

  async getEdges(id: string, options?: NeighborOptions): Promise<MemoryEdge[]> {
    return this.read((run) => graph.edgesAt(run, this.state.cube, id, options));
  }

  async neighbors(id: string, options?: NeighborOptions): Promise<string[]> {
    return this.read((run) => graph.neighbors(run, this.state.cube, id, options));
  }

  async subgraph(seedIds: string[], depth: number, options?: { types?: EdgeType[] }): Promise<Subgraph> {
    return this.read((run) => graph.subgraph(run, this.state.cube, seedIds, depth, options));
  }

  async exportAll(): Promise<TextualMemoryExport> {
    const { cube } = this.state;
    return this.read(async (run) => {
      const list = {
        orderBy: "created_at",
        order: "asc",
        offset: 0,
        limit: undefined,
        withVectors: true,
      } as const;
      const nodes = (await run(cypher.listNodes(cube, undefined, list))).map((r) => {
        const props = r.props as Row;
        const item = itemFromProperties(props);
        const vector = props.memosEmbedding;
        return Array.isArray(vector)
          ? { ...item, metadata: { ...item.metadata, embedding: vector as number[] } }
          : item;
      });
      const edges = await graph.allEdges(run, cube);
      return { nodes, edges, total_nodes: nodes.length, total_edges: edges.length };
    });
  }

  async importAll(data: TextualMemoryExport, options: { mode?: "replace" | "merge" } = {}): Promise<void> {
    const { nodes, edges, mode } = importParams(data, options);
    await this.write(async (s) => {
      if (mode === "replace") await s.run(cypher.deleteWhere(s.cube, undefined));
      const dims =
        s.dimensions() ?? nodes.find((n) => n.metadata.embedding?.length)?.metadata.embedding?.length;
      const prepared = nodes.map((node, i) => {
        const { embedding, ...metadata } = node.metadata;
        // A vector of another size came from another embedder: keep the memory, drop the vector.
        const vector = embedding && embedding.length > 0 && embedding.length === dims ? embedding : undefined;
        return prepareItem(
          { item: { ...node, metadata }, ...(vector ? { embedding: Float32Array.from(vector) } : {}) },
          `nodes[${i}]`,
        );
      });
      await items.upsertNodes(s, prepared);
      await graph.mergeEdges(
        s.run,
        s.cube,
        edges,
        (e, end) =>
          new InvalidInputError({
            message: `import data: edge ${e.source} -${e.type}-> ${e.target} names memory ${end}, which is neither in the import nor in the cube`,
            hint: "remove the edge or include its memories; nothing was imported",
          }),
      );
    });
  }

  async transaction<T>(fn: (tx: MemoryStore) => Promise<T>): Promise<T> {
    this.check();
    if (this.scope) return this.nested(fn, this.scope);
    const scope = new TxScope(await this.state.conn.begin());
    const handle = new Neo4jMemoryStore(this.state, scope);
    let result: T;
    try {
      result = await fn(handle);
      await scope.serial(async () => undefined); // let every call the function started finish
      if (scope.failed) {
        throw new StorageError({
          message: "a nested transaction failed, so the enclosing one was rolled back",
          hint: "Neo4j has no savepoints: let a nested failure end the whole transaction",
        });
      }
    } catch (error) {
      scope.open = false;
      await scope.tx.rollback().catch(() => undefined);
      throw error;
    }
    scope.open = false;
    await scope.tx.commit();
    if (scope.pendingDimensions !== undefined) await this.committedDimensions(scope.pendingDimensions);
    return result;
  }

  private async nested<T>(fn: (tx: MemoryStore) => Promise<T>, scope: TxScope): Promise<T> {
    try {
      return await fn(this);
    } catch (error) {
      scope.failed = true;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.scope || this.state.closed) return;
    this.state.closed = true;
    await this.state.conn.close();
  }
}
