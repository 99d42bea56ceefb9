import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { InvalidInputError, MissingDependencyError, StorageError } from "../../core/errors/index.js";
import { FilterPassRates } from "../shared/pass-rates.js";
import { annThresholdOption, dimensionsOption } from "../shared/store-input.js";
import { dimensionMismatch } from "../shared/vector-input.js";
import { AnnCache } from "./ann-cache.js";
import { WalCheckpointer } from "./checkpointer.js";
import type { SqliteContext } from "./context.js";
import { toStoreError } from "./errors.js";
import { SqliteGraph } from "./graph.js";
import { ItemRows } from "./item-rows.js";
import { SqliteItems } from "./items.js";
import { SqliteKeywordSearch } from "./keyword-search.js";
import { SqlitePortability } from "./portability.js";
import {
  createVectorTable,
  ensureVectorEpoch,
  MAX_DIMENSIONS,
  migrate,
  readMeta,
  tableExists,
  writeMeta,
} from "./schema.js";
import { cachedStatement } from "./statements.js";
import { SqliteVectorSearch } from "./vector-search.js";

export interface EngineOptions {
  path: string;
  cubeId?: string;
  dimensions?: number;
  /** Use the HNSW index (ann.ts) once the cube holds more vectors than this; Infinity: never. */
  annThreshold?: number;
}

/** How long SQLite itself waits (blocking) for another connection's lock before reporting busy. */
const BUSY_HANDLER_MS = 50;
/** Upper bound of the memory map of a cube file (address space, not memory). */
const MMAP_BYTES = 1024 * 1024 * 1024;

/**
 * The synchronous SQLite side of the store: one connection, one cube. It holds the connection,
 * its pragmas, the statement cache and the transactions; the MemoryStore operations live in one
 * module each, built on this connection (see {@link SqliteContext}): `items` (items.ts),
 * `vectors` (vector-search.ts, beside the ANN index and its cache), `keywords`
 * (keyword-search.ts, beside FTS5), `graph` (graph.ts) and `portability` (export, import and
 * integrity). better-sqlite3 runs each call to completion, so every public method is atomic on
 * its own; the async façade in store.ts adds the mutex that keeps other callers out while a
 * multi-call transaction is open.
 */
export class SqliteEngine implements SqliteContext {
  readonly db: Database.Database;
  readonly path: string;
  readonly cubeId: string | undefined;
  /** The HNSW index's lifecycle and the ledger of vector changes it follows. */
  readonly ann: AnnCache;
  readonly items: SqliteItems;
  readonly vectors: SqliteVectorSearch;
  readonly keywords: SqliteKeywordSearch;
  readonly graph: SqliteGraph;
  readonly portability: SqlitePortability;
  private knownDims: number | undefined;
  private readonly atomic: Database.Transaction<(fn: () => unknown) => unknown>;
  /** The ANN cache's pending-change count at each open transaction or savepoint, to undo on rollback. */
  private readonly marks: number[] = [];
  /** Commits made through this connection; with PRAGMA data_version, tells when data changed. */
  private commits = 0;
  /** Whether the file is memory-mapped now (see memoryMap). */
  private mapped = true;
  readonly passRates = new FilterPassRates();
  /** WAL checkpoints on a worker thread (file-backed cubes only; see checkpointer.ts). */
  readonly checkpointer: WalCheckpointer | undefined;

  private constructor(
    db: Database.Database,
    path: string,
    cubeId: string | undefined,
    dims: number | undefined,
    annThreshold: number,
  ) {
    this.db = db;
    this.path = path;
    this.cubeId = cubeId;
    this.knownDims = dims;
    this.atomic = db.transaction((fn: () => unknown) => fn());
    this.ann = new AnnCache(this, annThreshold);
    const rows = new ItemRows(this, this.ann);
    this.items = new SqliteItems(this, rows);
    this.vectors = new SqliteVectorSearch(this, this.ann);
    this.keywords = new SqliteKeywordSearch(this);
    this.graph = new SqliteGraph(this, rows);
    this.portability = new SqlitePortability(this, rows);
    this.checkpointer =
      path === ":memory:"
        ? undefined
        : new WalCheckpointer(path, (pages) => db.pragma(`wal_autocheckpoint = ${pages}`));
  }

  static open(options: EngineOptions): SqliteEngine {
    const { path, cubeId, dimensions } = options;
    const annThreshold = annThresholdOption(options.annThreshold);
    dimensionsOption(dimensions, MAX_DIMENSIONS);
    const memory = path === ":memory:";
    if (!memory) {
      try {
        mkdirSync(dirname(resolve(path)), { recursive: true });
      } catch (cause) {
        throw new StorageError({
          message: `cannot create the directory for ${path}`,
          hint: "check the path and permissions",
          cause,
        });
      }
    }
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (cause) {
      throw toStoreError(cause);
    }
    try {
      try {
        sqliteVec.load(db);
      } catch (cause) {
        throw new MissingDependencyError({
          message: "the sqlite-vec extension could not be loaded",
          hint: "reinstall `sqlite-vec` so npm fetches the build for this platform (sqlite-vec-<os>-<arch>)",
          cause,
        });
      }
      // WAL: readers never block the writer, and a commit is one append. synchronous=NORMAL keeps
      // every commit across a process crash (only a power loss can drop the last few).
      // The busy handler first: switching to WAL itself may wait for another process's lock.
      // It blocks the whole thread, so it is short; the store retries a busy call with
      // asynchronous backoff (busy.ts) and reports a StorageError only after `lockTimeoutMs`.
      db.pragma(`busy_timeout = ${BUSY_HANDLER_MS}`);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      // Vector search reads every vector of the cube; memory-mapped reads avoid copying 40 MB
      // per query through SQLite's small page cache (about 1.6x faster KNN at 100k x 100-d).
      if (!memory) db.pragma(`mmap_size = ${MMAP_BYTES}`);
      migrate(db);

      const storedCube = readMeta(db, "cube_id");
      if (cubeId !== undefined && storedCube !== undefined && storedCube !== cubeId) {
        throw new StorageError({
          message: `${path} holds cube "${storedCube}", not "${cubeId}"`,
          hint: "each cube has its own database file; check the cube's directory",
        });
      }
      if (cubeId !== undefined && storedCube === undefined) writeMeta(db, "cube_id", cubeId);
      if (readMeta(db, "ann_epoch") === undefined) db.transaction(() => ensureVectorEpoch(db)).immediate();

      const storedDims = readMeta(db, "dimensions");
      let dims = storedDims === undefined ? undefined : Number(storedDims);
      if (dims !== undefined && !tableExists(db, "vec_items")) {
        throw new StorageError({
          message: `${path} records ${dims}-dimensional vectors but has no vector table`,
          hint: "the file is damaged; restore the cube from a `memos dump` export",
        });
      }
      if (dimensions !== undefined && dims === undefined) {
        // Under the write lock, in case another process fixes the dimension at the same time.
        dims = db
          .transaction(() => {
            const now = readMeta(db, "dimensions");
            if (now !== undefined) return Number(now);
            createVectorTable(db, dimensions);
            return dimensions;
          })
          .immediate();
      }
      if (dimensions !== undefined && dims !== dimensions) {
        throw dimensionMismatch(dimensions, dims as number, "the configured embedder");
      }
      return new SqliteEngine(db, path, cubeId ?? storedCube, dims, annThreshold);
    } catch (error) {
      db.close();
      throw toStoreError(error);
    }
  }

  /**
   * Close the connection, after the checkpoint worker's (so this one, the last, checkpoints and
   * removes the WAL) and before a background index build is awaited: once this resolves, no
   * thread of this store touches the cube's files.
   */
  async close(): Promise<void> {
    if (!this.db.open) return;
    await this.checkpointer?.close();
    const buildStopped = this.ann.close();
    try {
      this.db.pragma("optimize");
    } catch {
      // Only a planner hint; closing matters more.
    }
    this.db.close();
    await buildStopped;
  }

  // ---------------------------------------------------------------- plumbing

  stmt(sql: string): Database.Statement {
    return cachedStatement(this.db, sql);
  }

  /** Run fn atomically: its own BEGIN IMMEDIATE, or a savepoint inside an open transaction. */
  write<T>(fn: () => T): T {
    const mark = this.ann.pendingLength;
    if (this.db.inTransaction) this.ann.log.flush(); // the outer write's, before a savepoint
    let out: T;
    try {
      out = this.atomic.immediate(() => {
        const before = this.ann.changeCount;
        const result = fn();
        // One step per write is enough: readers only compare generations for equality.
        if (this.ann.changeCount !== before) this.ann.bumped();
        return result;
      }) as T;
    } catch (error) {
      // The savepoint (or the whole transaction) was rolled back, and with it these changes.
      this.ann.truncatePending(this.db.inTransaction ? mark : 0);
      this.ann.log.drop();
      this.reloadDims();
      throw error;
    }
    if (!this.db.inTransaction) this.committed();
    return out;
  }

  /** Run several reads against one snapshot (WAL readers see a fixed point in time). */
  read<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.atomic.deferred(fn) as T;
  }

  begin(savepoint?: string): void {
    this.db.exec(savepoint ? `SAVEPOINT ${savepoint}` : "BEGIN IMMEDIATE");
    this.marks.push(this.ann.pendingLength);
  }

  commit(savepoint?: string): void {
    this.db.exec(savepoint ? `RELEASE ${savepoint}` : "COMMIT");
    this.marks.pop();
    if (!savepoint) this.committed();
  }

  rollback(savepoint?: string): void {
    // An I/O error or the like may already have rolled the whole transaction back.
    if (this.db.inTransaction) {
      this.db.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : "ROLLBACK");
    }
    const mark = this.marks.pop() ?? 0;
    this.ann.truncatePending(savepoint && this.db.inTransaction ? mark : 0);
    if (!this.db.inTransaction) this.marks.length = 0;
    this.reloadDims();
  }

  /** A transaction committed: count it, and let the ANN index follow its vector changes. */
  private committed(): void {
    this.commits++;
    this.marks.length = 0;
    this.ann.committed();
    this.checkpointer?.committed();
  }

  /**
   * Memory-map the file, or stop. Exact vector search reads every vector and gains from the map
   * (about 1.6x at 100k x 100-d); with the HNSW index a search reads a few hundred rows, and the
   * map costs more than it saves: SQLite remaps it after every commit by another process (about
   * 25 ms at 100k, paid by the next search). The ANN cache switches it as the index comes and goes.
   */
  memoryMap(on: boolean): void {
    if (this.mapped === on || this.path === ":memory:" || this.db.inTransaction) return;
    this.db.pragma(`mmap_size = ${on ? MMAP_BYTES : 0}`);
    this.mapped = on;
  }

  dataVersion(): string {
    // data_version moves with other connections' commits, `commits` with this one's.
    return `${this.db.pragma("data_version", { simple: true })}:${this.commits}`;
  }

  /**
   * The vector dimension, once fixed. While unknown it is re-read from the file, since another
   * process (or connection) sharing the cube may have stored the first vector meanwhile.
   */
  get dims(): number | undefined {
    if (this.knownDims === undefined) this.reloadDims();
    return this.knownDims;
  }

  /** Also needed after a rollback: the vector table may have been created and then undone. */
  private reloadDims(): void {
    if (!this.db.open) return;
    const stored = readMeta(this.db, "dimensions");
    this.knownDims = stored === undefined ? undefined : Number(stored);
  }

  /** Fix the dimension with the first vector, or check a vector against it. */
  ensureDimensions(length: number): void {
    if (this.dims === undefined) {
      if (length > MAX_DIMENSIONS) {
        throw new InvalidInputError({
          message: `embedding has ${length} dimensions; at most ${MAX_DIMENSIONS} are supported`,
          hint: "use an embedding model with fewer dimensions",
        });
      }
      createVectorTable(this.db, length);
      this.knownDims = length;
    } else if (length !== this.dims) {
      throw dimensionMismatch(length, this.dims);
    }
  }
}
