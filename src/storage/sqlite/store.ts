import { AsyncLocalStorage } from "node:async_hooks";
import { InvalidInputError, StorageError } from "../../core/errors/index.js";
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
import type { AnnStatus } from "./ann-status.js";
import { BusyRetry, checkLockTimeout, type LockStats } from "./busy.js";
import { SqliteEngine } from "./engine.js";
import { toStoreError } from "./errors.js";
import { Level } from "./levels.js";
import type { IntegrityReport } from "./portability.js";

function finished(): StorageError {
  return new StorageError({
    message: "this transaction has already finished",
    hint: "use the `tx` handle only inside the function passed to transaction(), and await every call",
  });
}

/** Shared by the store and its transaction handles: the engine and the locking rules. */
class Runner {
  readonly root = new Level(0);
  /** The transaction level the current async call chain runs inside, if any. */
  private readonly context = new AsyncLocalStorage<Level>();
  closed = false;
  /** Retries calls that met another process's write lock (busy.ts). */
  readonly busy: BusyRetry;

  constructor(
    readonly engine: SqliteEngine,
    lockTimeoutMs: number,
  ) {
    this.busy = new BusyRetry(lockTimeoutMs);
  }

  /**
   * Where a call runs: inside the caller's open transaction when the caller is one (so code
   * inside `transaction(fn)` may use the store or the handle alike without deadlocking), else at
   * the level of the handle it was made on, else at the root, behind any open transaction.
   */
  private levelFor(handleLevel: Level | undefined): Level {
    if (handleLevel && !handleLevel.active) throw finished();
    const ctx = this.context.getStore();
    if (ctx?.active) return ctx;
    return handleLevel ?? this.root;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new StorageError({
        message: "the sqlite store is closed",
        hint: "open it again with createSqliteMemoryStore()",
      });
    }
  }

  async call<T>(handleLevel: Level | undefined, op: (engine: SqliteEngine) => T): Promise<T> {
    const level = this.levelFor(handleLevel);
    await level.mutex.lock();
    try {
      // A call outside any transaction is its own transaction: if it met another process's
      // lock, it was rolled back whole and may run again. The mutex stays held meanwhile, so
      // this store's calls keep their order.
      return await this.busy.run(
        () => {
          this.assertOpen();
          // The transaction may have ended while this call waited for the lock.
          if (!level.active) throw finished();
          return op(this.engine);
        },
        () => !this.engine.db.inTransaction,
      );
    } catch (error) {
      throw toStoreError(error);
    } finally {
      level.mutex.unlock();
    }
  }

  async transaction<T>(handleLevel: Level | undefined, fn: (tx: MemoryStore) => Promise<T>): Promise<T> {
    if (typeof fn !== "function") {
      throw new InvalidInputError({
        message: "transaction() expects an async function",
        hint: "store.transaction(async (tx) => { ... })",
      });
    }
    const parent = this.levelFor(handleLevel);
    await parent.mutex.lock();
    const child = new Level(parent.depth + 1, parent);
    // Nested transactions are savepoints; only one is open per level at a time, so a name per
    // depth is unique.
    const savepoint = parent === this.root ? undefined : `memos_tx_${child.depth}`;
    try {
      this.assertOpen();
      if (!parent.active) throw finished();
      try {
        // BEGIN IMMEDIATE takes the write lock, and may have to wait for another process.
        await this.busy.run(
          () => this.engine.begin(savepoint),
          () => savepoint === undefined,
        );
      } catch (error) {
        throw toStoreError(error);
      }
      this.assertOpen();
      let outcome: { ok: true; value: T } | { ok: false; error: unknown };
      try {
        outcome = {
          ok: true,
          value: await this.context.run(child, () => fn(new SqliteTransaction(this, child))),
        };
      } catch (error) {
        outcome = { ok: false, error };
      }
      // Calls fn started but did not await still belong to the transaction: let them finish
      // before it ends (they queue on the child's lock ahead of us).
      await child.mutex.lock();
      child.finish();
      // Anything still queued on the child now fails with "finished" instead of waiting forever.
      child.mutex.unlock();
      if (!outcome.ok) {
        this.rollbackOrReport(savepoint);
        throw outcome.error;
      }
      try {
        this.engine.commit(savepoint);
      } catch (error) {
        this.rollbackOrReport(savepoint);
        throw toStoreError(error);
      }
      return outcome.value;
    } finally {
      child.finish();
      parent.mutex.unlock();
    }
  }

  private rollbackOrReport(savepoint: string | undefined): void {
    try {
      this.engine.rollback(savepoint);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async close(handleLevel: Level | undefined): Promise<void> {
    if (handleLevel || this.context.getStore()?.active) {
      throw new StorageError({
        message: "cannot close the store from inside a transaction",
        hint: "close it after transaction() has returned",
      });
    }
    if (this.closed) return;
    await this.root.mutex.lock();
    try {
      if (!this.closed) {
        this.closed = true;
        await this.engine.close();
      }
    } finally {
      this.root.mutex.unlock();
    }
  }
}

/** The MemoryStore methods, written once for the store and for transaction handles. */
abstract class SqliteStoreApi implements MemoryStore {
  readonly specificationVersion = "v1" as const;
  readonly provider = "sqlite";
  protected abstract readonly runner: Runner;
  protected abstract readonly level: Level | undefined;

  get dimensions(): number | undefined {
    return this.runner.engine.dims;
  }

  protected call<T>(op: (engine: SqliteEngine) => T): Promise<T> {
    return this.runner.call(this.level, op);
  }

  addItems(items: StoredItem[]): Promise<void> {
    return this.call((e) => e.items.addItems(items));
  }
  upsertItems(items: StoredItem[]): Promise<void> {
    return this.call((e) => e.items.upsertItems(items));
  }
  getItem(id: string): Promise<TextualMemoryItem | null> {
    return this.call((e) => e.items.getItem(id));
  }
  getItems(ids: string[]): Promise<TextualMemoryItem[]> {
    return this.call((e) => e.items.getItems(ids));
  }
  getEmbedding(id: string): Promise<Float32Array | null> {
    return this.call((e) => e.items.getEmbedding(id));
  }
  updateItem(id: string, item: TextualMemoryItem, embedding?: Float32Array): Promise<void> {
    return this.call((e) => e.items.updateItem(id, item, embedding));
  }
  deleteItems(ids: string[]): Promise<number> {
    return this.call((e) => e.items.deleteItems(ids));
  }
  deleteWhere(filter?: MemoryFilter | FilterNode): Promise<number> {
    return this.call((e) => e.items.deleteWhere(filter));
  }
  listItems(options?: ListOptions): Promise<TextualMemoryItem[]> {
    return this.call((e) => e.items.listItems(options));
  }
  count(filter?: MemoryFilter | FilterNode): Promise<number> {
    return this.call((e) => e.items.count(filter));
  }
  vectorSearch(vector: Float32Array, options: SearchOptions): Promise<ScoredId[]> {
    return this.call((e) => e.vectors.vectorSearch(vector, options));
  }
  keywordSearch(query: string, options: SearchOptions): Promise<ScoredId[]> {
    return this.call((e) => e.keywords.keywordSearch(query, options));
  }
  addEdges(edges: MemoryEdge[]): Promise<void> {
    return this.call((e) => e.graph.addEdges(edges));
  }
  removeEdges(edges: Pick<MemoryEdge, "source" | "target" | "type">[]): Promise<number> {
    return this.call((e) => e.graph.removeEdges(edges));
  }
  getEdges(id: string, options?: NeighborOptions): Promise<MemoryEdge[]> {
    return this.call((e) => e.graph.getEdges(id, options));
  }
  neighbors(id: string, options?: NeighborOptions): Promise<string[]> {
    return this.call((e) => e.graph.neighbors(id, options));
  }
  subgraph(seedIds: string[], depth: number, options?: { types?: EdgeType[] }): Promise<Subgraph> {
    return this.call((e) => e.graph.subgraph(seedIds, depth, options));
  }
  exportAll(): Promise<TextualMemoryExport> {
    return this.call((e) => e.portability.exportAll());
  }
  importAll(data: TextualMemoryExport, options?: { mode?: "replace" | "merge" }): Promise<void> {
    return this.call((e) => e.portability.importAll(data, options));
  }
  /**
   * Check the database file and that items, vectors, keyword rows and edges agree (no orphans).
   * Read-only; for `memos doctor` and tests.
   */
  checkIntegrity(): Promise<IntegrityReport> {
    return this.call((e) => e.portability.checkIntegrity());
  }

  transaction<T>(fn: (tx: MemoryStore) => Promise<T>): Promise<T> {
    return this.runner.transaction(this.level, fn);
  }

  close(): Promise<void> {
    return this.runner.close(this.level);
  }
}

/** The handle passed to `transaction(fn)`: runs directly inside the open transaction. */
class SqliteTransaction extends SqliteStoreApi {
  constructor(
    protected readonly runner: Runner,
    protected readonly level: Level,
  ) {
    super();
  }
}

/**
 * MemoryStore on one SQLite file per cube: items as JSON rows, vectors in a sqlite-vec `vec0`
 * table (cosine), BM25 keyword search with FTS5, edges with a recursive-CTE subgraph, all
 * written atomically. Create it with {@link createSqliteMemoryStore}.
 */
export class SqliteMemoryStore extends SqliteStoreApi {
  protected readonly runner: Runner;
  protected readonly level = undefined;

  /** @internal use createSqliteMemoryStore */
  constructor(engine: SqliteEngine, lockTimeoutMs: number) {
    super();
    this.runner = new Runner(engine, lockTimeoutMs);
  }

  /** The database file (":memory:" for an in-memory store). */
  get path(): string {
    return this.runner.engine.path;
  }

  /** The cube this file belongs to, when one was given now or when the file was created. */
  get cubeId(): string | undefined {
    return this.runner.engine.cubeId;
  }

  /**
   * The approximate vector index: its threshold and size, how it was last loaded or built, and
   * counters of full builds versus incremental catch-ups with other processes' writes.
   */
  annStatus(): Promise<AnnStatus> {
    return this.call((e) => e.ann.status());
  }

  /** Resolves once no background index build is running (a build never blocks a search). */
  annSettled(): Promise<void> {
    return this.runner.engine.ann.settled();
  }

  /**
   * Resolves once no background WAL checkpoint is pending or running (see checkpointer.ts), with
   * how many the worker has completed; 0 for an in-memory cube. For tests and benchmarks.
   */
  async checkpointsSettled(): Promise<number> {
    const c = this.runner.engine.checkpointer;
    if (!c) return 0;
    await c.settled();
    return c.checkpoints;
  }

  /** How often calls met another process's write lock and were retried (see `lockTimeoutMs`). */
  lockStats(): LockStats {
    return { ...this.runner.busy.stats };
  }

  /** True once `close()` has run. */
  get closed(): boolean {
    return this.runner.closed;
  }
}

/** Options of {@link createSqliteMemoryStore}: file path (or `:memory:`), cube id and the ANN threshold. */
export interface SqliteMemoryStoreOptions {
  /** Database file (created with its directory when missing), or ":memory:". One file per cube. */
  path: string;
  /** Recorded in the file; opening it later under another cube id fails. */
  cubeId?: string;
  /** Fix the vector dimension now (the cube's embedder); otherwise the first vector fixes it. */
  dimensions?: number;
  /**
   * Search vectors through an HNSW index (usearch) once the cube holds more than this many
   * (default 20,000; Infinity keeps search exact). The index is a cache kept beside the file as
   * `<path>.usearch.g<generation>` (in memory only for ":memory:"), checked against the cube on
   * every search and caught up from the cube's change log when other connections or processes
   * wrote; a full build runs on a worker thread while search stays exact. Candidates are
   * re-scored exactly, so scores stay cosine similarity; a true neighbour the graph misses is the
   * only difference from exact search.
   */
  annThreshold?: number;
  /**
   * How long a call may wait for another process's write lock (a `memos worker` writing the same
   * cube) before it fails with a StorageError; default 30,000 ms. Waiting is asynchronous, with
   * backoff: the process goes on serving other work meanwhile.
   */
  lockTimeoutMs?: number;
}

/**
 * Open (or create) a cube's SQLite store.
 *
 * @example
 * const store = await createSqliteMemoryStore({ path: ".memos/cubes/default/memory.db", cubeId: "default" });
 * const item = TextualMemoryItem.parse({ id: newId(), memory: "Alice likes tea", metadata: { user_id: "alice" } });
 * await store.addItems([{ item, embedding }]); // embedding: Float32Array from the cube's embedder
 * const hits = await store.vectorSearch(queryVector, { k: 5, filter: { user_id: "alice" } });
 * await store.close();
 */
export async function createSqliteMemoryStore(options: SqliteMemoryStoreOptions): Promise<SqliteMemoryStore> {
  if (
    typeof options !== "object" ||
    options === null ||
    typeof options.path !== "string" ||
    options.path === ""
  ) {
    throw new InvalidInputError({
      message: "createSqliteMemoryStore needs a path",
      hint: 'pass {path: "cube.db"} or {path: ":memory:"}',
    });
  }
  if (options.cubeId !== undefined && (typeof options.cubeId !== "string" || options.cubeId === "")) {
    throw new InvalidInputError({
      message: "cubeId must be a non-empty string",
      hint: 'e.g. {cubeId: "default"}',
    });
  }
  const lockTimeoutMs = checkLockTimeout(options.lockTimeoutMs);
  // Opening migrates and fixes the dimension under the write lock: it may wait like any write.
  const engine = await new BusyRetry(lockTimeoutMs).run(
    () => SqliteEngine.open(options),
    () => true,
  );
  return new SqliteMemoryStore(engine, lockTimeoutMs);
}
