import { InvalidInputError } from "../../core/errors/index.js";
import type {
  ListOptions,
  MemoryStore,
  NeighborOptions,
  ScoredId,
  SearchOptions,
  StoredItem,
  Subgraph,
} from "../../core/interfaces/store.js";
import type { FilterNode, MemoryFilter } from "../../core/schema/filter.js";
import type {
  EdgeType,
  MemoryEdge,
  TextualMemoryExport,
  TextualMemoryItem,
} from "../../core/schema/memory.js";
import { annThresholdOption, dimensionsOption, importParams } from "../shared/store-input.js";
import { assertId } from "../shared/validate.js";
import { acquirePool, type PoolRef } from "./driver.js";
import { toPgStoreError } from "./errors.js";
import * as graph from "./graph.js";
import * as items from "./items.js";
import { keywordSearch } from "./keyword-search.js";
import { exportAll, importAll } from "./portability.js";
import { type Level, Runner, sessionOf } from "./runner.js";
import { migrate, openCube } from "./schema.js";
import type { CubeState, Session } from "./session.js";
import { vectorSearch } from "./vector-search.js";

/** The MemoryStore methods, written once for the store and for transaction handles. */
abstract class PostgresStoreApi implements MemoryStore {
  readonly specificationVersion = "v1" as const;
  readonly provider = "postgres";
  protected abstract readonly runner: Runner;
  protected abstract readonly level: Level | undefined;

  get dimensions(): number | undefined {
    return this.runner.cube.dims;
  }

  /** The cube id this store holds (its rows are scoped to it). */
  get cubeId(): string {
    return this.runner.cube.cubeId;
  }

  private read<T>(op: (s: Session, c: CubeState) => Promise<T>): Promise<T> {
    return this.runner.call(this.level, "read", (s) => op(s, this.runner.cube));
  }
  private write<T>(op: (s: Session, c: CubeState) => Promise<T>): Promise<T> {
    return this.runner.call(this.level, "write", (s) => op(s, this.runner.cube));
  }
  /** Validate before touching the database: bad input never costs a round trip or a transaction. */
  private async checked<V, T>(validate: () => V, run: (v: V) => Promise<T>): Promise<T> {
    let v: V;
    try {
      v = validate();
    } catch (error) {
      throw toPgStoreError(error);
    }
    return run(v);
  }

  addItems(list: StoredItem[]): Promise<void> {
    return this.checked(
      () => items.prepareAdd(list),
      (p) => (p.length === 0 ? Promise.resolve() : this.write((s, c) => items.writeRows(s, c, p, false))),
    );
  }
  upsertItems(list: StoredItem[]): Promise<void> {
    return this.checked(
      () => items.prepareUpsert(list),
      (p) => (p.length === 0 ? Promise.resolve() : this.write((s, c) => items.writeRows(s, c, p, true))),
    );
  }
  async getItem(id: string): Promise<TextualMemoryItem | null> {
    await this.checked(
      () => assertId(id, "getItem id"),
      async () => {},
    );
    return (await this.getItems([id]))[0] ?? null;
  }
  getItems(ids: string[]): Promise<TextualMemoryItem[]> {
    return this.read((s, c) => items.getItems(s, c, ids));
  }
  async getEmbedding(id: string): Promise<Float32Array | null> {
    await this.checked(
      () => assertId(id, "getEmbedding id"),
      async () => {},
    );
    return (await this.getEmbeddings([id])).get(id) ?? null;
  }
  /** Vectors of many memories in one query (those without one are absent): for export and migration. */
  getEmbeddings(ids: string[]): Promise<Map<string, Float32Array>> {
    return this.read((s, c) => items.getEmbeddings(s, c, ids));
  }
  updateItem(id: string, item: TextualMemoryItem, embedding?: Float32Array): Promise<void> {
    return this.checked(
      () => items.prepareUpdate(id, item, embedding),
      (p) => this.write((s, c) => items.updateRow(s, c, p)),
    );
  }
  deleteItems(ids: string[]): Promise<number> {
    return this.write((s, c) => items.deleteItems(s, c, ids));
  }
  deleteWhere(filter?: MemoryFilter | FilterNode): Promise<number> {
    return this.write((s, c) => items.deleteWhere(s, c, filter));
  }
  listItems(options?: ListOptions): Promise<TextualMemoryItem[]> {
    return this.read((s, c) => items.listItems(s, c, options));
  }
  count(filter?: MemoryFilter | FilterNode): Promise<number> {
    return this.read((s, c) => items.count(s, c, filter));
  }
  vectorSearch(vector: Float32Array, options: SearchOptions): Promise<ScoredId[]> {
    return this.read((s, c) => vectorSearch(s, c, vector, options));
  }
  keywordSearch(query: string, options: SearchOptions): Promise<ScoredId[]> {
    return this.read((s, c) => keywordSearch(s, c, query, options));
  }
  addEdges(edges: MemoryEdge[]): Promise<void> {
    return this.checked(
      () => graph.parseEdges(edges, "addEdges"),
      (p) => (p.length === 0 ? Promise.resolve() : this.write((s, c) => graph.addEdges(s, c, p))),
    );
  }
  removeEdges(edges: Pick<MemoryEdge, "source" | "target" | "type">[]): Promise<number> {
    return this.checked(
      () => graph.parseEdges(edges as MemoryEdge[], "removeEdges"),
      (p) => this.write((s, c) => graph.removeEdges(s, c, p)),
    );
  }
  getEdges(id: string, options?: NeighborOptions): Promise<MemoryEdge[]> {
    return this.read((s, c) => graph.getEdges(s, c, id, options));
  }
  /** Outgoing edges of many memories in one query: for export and migration. */
  edgesFrom(ids: string[]): Promise<MemoryEdge[]> {
    return this.read((s, c) => graph.edgesFrom(s, c, ids));
  }
  neighbors(id: string, options?: NeighborOptions): Promise<string[]> {
    return this.read((s, c) => graph.neighbors(s, c, id, options));
  }
  subgraph(seedIds: string[], depth: number, options?: { types?: EdgeType[] }): Promise<Subgraph> {
    return this.read((s, c) => graph.subgraph(s, c, seedIds, depth, options));
  }
  exportAll(): Promise<TextualMemoryExport> {
    return this.read(exportAll);
  }
  importAll(data: TextualMemoryExport, options: { mode?: "replace" | "merge" } = {}): Promise<void> {
    return this.checked(
      () => importParams(data, options),
      (parsed) => this.write((s, c) => importAll(s, c, parsed, parsed.mode)),
    );
  }

  transaction<T>(fn: (tx: MemoryStore) => Promise<T>): Promise<T> {
    return this.runner.transaction(this.level, fn, (level) => new PostgresTransaction(this.runner, level));
  }

  close(): Promise<void> {
    return this.runner.close(this.level);
  }
}

/** The handle passed to `transaction(fn)`: runs inside the open transaction. */
class PostgresTransaction extends PostgresStoreApi {
  constructor(
    protected readonly runner: Runner,
    protected readonly level: Level,
  ) {
    super();
  }
}

/**
 * MemoryStore on PostgreSQL with pgvector: many cubes in one database, each store scoped to one
 * (rows keyed by cube). Items are rows with jsonb metadata, vectors a pgvector column (exact
 * cosine search, an HNSW index per cube once it is large), keyword search BM25 over a GIN-indexed
 * tsvector, edges a table walked by recursive CTEs; every write is one transaction. Create it
 * with {@link createPostgresMemoryStore}.
 */
export class PostgresMemoryStore extends PostgresStoreApi {
  protected readonly level = undefined;

  /** @internal use createPostgresMemoryStore */
  constructor(protected readonly runner: Runner) {
    super();
  }

  /** True once `close()` has run. */
  get closed(): boolean {
    return this.runner.closed;
  }

  /** Whether the cube's HNSW index exists (built once it holds `annThreshold` vectors). */
  get annIndex(): boolean {
    return this.runner.cube.annIndex;
  }
}

/** Options of {@link createPostgresMemoryStore}. */
export interface PostgresMemoryStoreOptions {
  /** `postgres://user:pass@host:port/db`; default `MEMOS_PG_URL`. */
  url?: string;
  /** The cube this store holds; its rows are kept apart from every other cube's in the same tables. */
  cubeId: string;
  /** Fix the vector dimension now (the cube's embedder); otherwise the first vector fixes it. */
  dimensions?: number;
  /**
   * Build the cube's HNSW index (pgvector, cosine) once it holds this many vectors (default
   * 20,000, as the SQLite store; Infinity keeps search exact). Candidates are re-ranked and, when
   * they cannot fill k, exact search answers.
   */
  annThreshold?: number;
  /**
   * Connections of the pool (default 10), shared by every store on the same URL and size in this
   * process. Use 1 against PGlite served by pglite-socket: it runs one backend.
   */
  poolSize?: number;
}

/**
 * Open (or create) a cube's store in a PostgreSQL database with the pgvector extension. The
 * first store on a database creates the tables (schema migrations, recorded in
 * `memos_schema_version`).
 *
 * @example
 * const store = await createPostgresMemoryStore({ url: "postgres://memos@localhost/memos", cubeId: "alice-notes" });
 * await store.addItems([{ item, embedding }]); // embedding: Float32Array from the cube's embedder
 * const hits = await store.vectorSearch(queryVector, { k: 5, filter: { user_id: "alice" } });
 * await store.close();
 */
export async function createPostgresMemoryStore(
  options: PostgresMemoryStoreOptions,
): Promise<PostgresMemoryStore> {
  if (
    typeof options !== "object" ||
    options === null ||
    typeof options.cubeId !== "string" ||
    options.cubeId === ""
  ) {
    throw new InvalidInputError({
      message: "createPostgresMemoryStore needs a cubeId (a non-empty string)",
      hint: 'e.g. {url: "postgres://localhost/memos", cubeId: "default"}',
    });
  }
  const annThreshold = annThresholdOption(options.annThreshold);
  const { dimensions } = options;
  dimensionsOption(dimensions, items.MAX_DIMENSIONS);
  const url = options.url ?? process.env.MEMOS_PG_URL ?? "";
  let ref: PoolRef | undefined;
  try {
    ref = await acquirePool({ url, ...(options.poolSize === undefined ? {} : { max: options.poolSize }) });
    const client = await ref.pool.connect();
    let cube: CubeState;
    try {
      await migrate(client);
      const row = await openCube(client, options.cubeId);
      cube = { cubeId: options.cubeId, cube: row.cube, dims: row.dims, annIndex: row.annIndex, annThreshold };
      if (dimensions !== undefined) {
        await client.query("BEGIN");
        try {
          await items.ensureDimensions(sessionOf(client), cube, dimensions);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {});
          throw error;
        }
      }
    } finally {
      client.release();
    }
    return new PostgresMemoryStore(new Runner(ref, cube));
  } catch (error) {
    await ref?.release().catch(() => {});
    throw toPgStoreError(error);
  }
}
