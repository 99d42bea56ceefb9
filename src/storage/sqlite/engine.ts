import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import {
  InvalidInputError,
  MissingDependencyError,
  NotFoundError,
  StorageError,
} from "../../core/errors/index.js";
import type {
  ListOptions,
  NeighborOptions,
  ScoredId,
  SearchOptions,
  StoredItem,
  Subgraph,
} from "../../core/interfaces/store.js";
import type { FilterNode, MemoryFilter } from "../../core/schema/filter.js";
import {
  type EdgeType,
  type MemoryEdge,
  TextualMemoryExport,
  TextualMemoryItem,
} from "../../core/schema/memory.js";
import { AnnIndex } from "./ann.js";
import { isUniqueViolation, toStoreError } from "./errors.js";
import { compileFilter, resolveFilter, type SqlFragment, vecColumnValue, vecPushdown } from "./filter-sql.js";
import { ftsColumns, matchExpression, PRUNE_MIN_DOCS, pruneCommonTerms, queryTerms } from "./fts.js";
import { type EdgeRow, type ItemRow, scored, toEdge, toItem } from "./rows.js";
import {
  bumpVectorGeneration,
  createVectorTable,
  ensureVectorEpoch,
  FTS_TOKENIZER,
  MAX_DIMENSIONS,
  migrate,
  readMeta,
  readVectorStamp,
  tableExists,
  VEC_METADATA_COLUMNS,
  type VectorStamp,
  writeMeta,
} from "./schema.js";
import { assertCount, assertId, assertIds, edgeTypes, parseEdge, searchK } from "./validate.js";
import { blobToVector, dimensionMismatch, isZeroVector, toVector, VEC_MAX_K, vectorBlob } from "./vectors.js";
import { TermStats } from "./vocab.js";

/** What `checkIntegrity` found. `ok` is true when `problems` is empty. */
export interface IntegrityReport {
  ok: boolean;
  problems: string[];
  items: number;
  vectors: number;
  keywordRows: number;
  edges: number;
}

export interface EngineOptions {
  path: string;
  cubeId?: string;
  dimensions?: number;
  /** Use the HNSW index (ann.ts) once the cube holds more vectors than this; Infinity: never. */
  annThreshold?: number;
}

/** Default {@link EngineOptions.annThreshold}: below it sqlite-vec's exact scan takes a few ms. */
export const DEFAULT_ANN_THRESHOLD = 20_000;

/** What the approximate vector index is doing, for benchmarks and `memos doctor`. */
export interface AnnStatus {
  threshold: number;
  /** Vectors in the in-memory index, when one is held. */
  size: number | undefined;
  generation: number | undefined;
  /** How the index was last obtained, and how long that took. */
  last: { source: "built" | "loaded"; ms: number } | undefined;
}

/** A committed change the in-memory index must follow; "bump" marks one generation step. */
type VectorOp =
  | { op: "upsert"; rid: number; vector: Float32Array }
  | { op: "remove"; rid: number }
  | { op: "reset" }
  | { op: "bump" };

/** An item validated and split into what the tables store. */
interface PreparedItem {
  id: string;
  memory: string;
  metadata: Record<string, unknown>;
  metadataJson: string;
  vector: Float32Array | undefined;
}

type Filter = MemoryFilter | FilterNode | undefined;

/** Prepared statements are cached by SQL text; filters make SQL vary, so the cache is bounded. */
const STATEMENT_CACHE_LIMIT = 256;

/**
 * How many KNN candidates to fetch per wanted result when part of the filter runs afterwards.
 * sqlite-vec's cost grows with k (about +50% from k=10 to k=100 at 100k vectors), so this stays
 * small; filters passing fewer than ~1 in 5 go to the exact path instead.
 */
const OVERFETCH_FACTOR = 5;
const OVERFETCH_MIN = 50;
/** Up to this many filtered rows, exact search computes their distances one by one. */
const POINT_LOOKUP_LIMIT = 2000;
/**
 * Keyword hits fetched per wanted result before a filter is applied. FTS5 scores every match to
 * find the best ones anyway, so a generous fetch costs little and saves the full-join fallback.
 */
const KEYWORD_OVERFETCH_FACTOR = 20;
const KEYWORD_OVERFETCH_MIN = 500;
/**
 * ANN candidates per wanted result, re-scored exactly. Unfiltered, a small margin absorbs HNSW's
 * misses; with a filter that runs afterwards, enough that a filter passing 1 in 4 still fills k.
 * One growth step (x4) follows before the exact path takes over.
 */
const ANN_OVERFETCH = 2;
const ANN_FILTER_OVERFETCH = 8;
const ANN_MIN_FETCH = 100;
const ANN_GROWTH = 4;
/** Upper bound of the memory map of a cube file (address space, not memory). */
const MMAP_BYTES = 1024 * 1024 * 1024;

/**
 * The synchronous SQLite side of the store: one connection, one cube. better-sqlite3 runs each
 * call to completion, so every public method here is atomic on its own; the async façade in
 * store.ts adds the mutex that keeps other callers out while a multi-call transaction is open.
 */
export class SqliteEngine {
  readonly db: Database.Database;
  readonly path: string;
  readonly cubeId: string | undefined;
  private knownDims: number | undefined;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly atomic: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly termStats: TermStats;
  private readonly annThreshold: number;
  /** The HNSW cache of the vectors, when the cube is big enough to want one. */
  private ann: AnnIndex | undefined;
  private annLast: AnnStatus["last"];
  private annFailed: VectorStamp | undefined;
  /** Vector changes of the open transaction, applied to `ann` once it commits. */
  private pendingVec: VectorOp[] = [];
  /** pendingVec's length at each open transaction or savepoint, to undo on rollback. */
  private readonly marks: number[] = [];
  /** Commits made through this connection; with PRAGMA data_version, tells when data changed. */
  private commits = 0;
  /** Counts vector changes, so write() knows whether to bump the generation. */
  private vecChanges = 0;

  private constructor(
    db: Database.Database,
    path: string,
    cubeId: string | undefined,
    dims: number | undefined,
    annThreshold: number,
  ) {
    this.annThreshold = annThreshold;
    this.db = db;
    this.path = path;
    this.cubeId = cubeId;
    this.knownDims = dims;
    this.atomic = db.transaction((fn: () => unknown) => fn());
    this.termStats = new TermStats(db, FTS_TOKENIZER);
  }

  static open(options: EngineOptions): SqliteEngine {
    const { path, cubeId, dimensions, annThreshold = DEFAULT_ANN_THRESHOLD } = options;
    if (
      !(annThreshold === Number.POSITIVE_INFINITY || (Number.isInteger(annThreshold) && annThreshold >= 0))
    ) {
      throw new InvalidInputError({
        message: `annThreshold must be a non-negative integer or Infinity, got ${annThreshold}`,
        hint: `e.g. {annThreshold: ${DEFAULT_ANN_THRESHOLD}}; Infinity keeps vector search exact`,
      });
    }
    if (
      dimensions !== undefined &&
      !(Number.isInteger(dimensions) && dimensions > 0 && dimensions <= MAX_DIMENSIONS)
    ) {
      throw new InvalidInputError({
        message: `dimensions must be an integer between 1 and ${MAX_DIMENSIONS}, got ${dimensions}`,
        hint: "use the embedder's `dimensions`",
      });
    }
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
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
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

  close(): void {
    if (!this.db.open) return;
    this.saveAnn();
    try {
      this.db.pragma("optimize");
    } catch {
      // Only a planner hint; closing matters more.
    }
    this.db.close();
  }

  // ---------------------------------------------------------------- plumbing

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Run fn atomically: its own BEGIN IMMEDIATE, or a savepoint inside an open transaction. */
  write<T>(fn: () => T): T {
    const mark = this.pendingVec.length;
    let out: T;
    try {
      out = this.atomic.immediate(() => {
        const before = this.vecChanges;
        const result = fn();
        // One step per write is enough: readers only compare generations for equality.
        if (this.vecChanges !== before) {
          bumpVectorGeneration(this.db);
          this.pendingVec.push({ op: "bump" });
        }
        return result;
      }) as T;
    } catch (error) {
      // The savepoint (or the whole transaction) was rolled back, and with it these changes.
      this.pendingVec.length = this.db.inTransaction ? mark : 0;
      this.reloadDims();
      throw error;
    }
    if (!this.db.inTransaction) {
      this.commits++;
      this.applyVectorOps();
    }
    return out;
  }

  /** Run several reads against one snapshot (WAL readers see a fixed point in time). */
  read<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.atomic.deferred(fn) as T;
  }

  begin(savepoint?: string): void {
    this.db.exec(savepoint ? `SAVEPOINT ${savepoint}` : "BEGIN IMMEDIATE");
    this.marks.push(this.pendingVec.length);
  }

  commit(savepoint?: string): void {
    this.db.exec(savepoint ? `RELEASE ${savepoint}` : "COMMIT");
    this.marks.pop();
    if (!savepoint) {
      this.commits++;
      this.applyVectorOps();
    }
  }

  rollback(savepoint?: string): void {
    // An I/O error or the like may already have rolled the whole transaction back.
    if (this.db.inTransaction) {
      this.db.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : "ROLLBACK");
    }
    const mark = this.marks.pop() ?? 0;
    this.pendingVec.length = savepoint && this.db.inTransaction ? Math.min(mark, this.pendingVec.length) : 0;
    if (!this.db.inTransaction) this.marks.length = 0;
    this.reloadDims();
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
  private ensureDimensions(length: number): void {
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

  private prepareItem(stored: StoredItem, where: string): PreparedItem {
    if (typeof stored !== "object" || stored === null || !("item" in stored)) {
      throw new InvalidInputError({
        message: `${where} must be {item, embedding?}`,
        hint: "wrap each memory as {item}",
      });
    }
    const parsed = TextualMemoryItem.safeParse(stored.item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidInputError({
        message: `${where}: ${issue?.path.join(".") || "item"} ${issue?.message ?? "is invalid"}`,
        hint: "a memory is {id, memory, metadata}; see TextualMemoryItem in core/schema/memory.ts",
      });
    }
    const { embedding: metaEmbedding, ...metadata } = parsed.data.metadata;
    let vector: Float32Array | undefined;
    if (stored.embedding !== undefined && stored.embedding !== null) {
      vector = toVector(stored.embedding, `${where}.embedding`);
    } else if (metaEmbedding && metaEmbedding.length > 0) {
      // A vector left in metadata.embedding is used as the item's vector, not stored twice.
      vector = toVector(metaEmbedding, `${where}.item.metadata.embedding`);
    }
    return {
      id: parsed.data.id,
      memory: parsed.data.memory,
      metadata,
      metadataJson: JSON.stringify(metadata),
      vector,
    };
  }

  private prepareBatch(items: StoredItem[], what: string): PreparedItem[] {
    if (!Array.isArray(items)) {
      throw new InvalidInputError({
        message: `${what} expects an array of {item, embedding?}`,
        hint: "pass a list",
      });
    }
    return items.map((s, i) => this.prepareItem(s, `items[${i}]`));
  }

  private checkBatchDimensions(prepared: PreparedItem[]): void {
    for (const p of prepared) if (p.vector) this.ensureDimensions(p.vector.length);
  }

  private ridOf(id: string): number | undefined {
    const row = this.stmt("SELECT rid FROM items WHERE id = ?").get(id) as { rid: number } | undefined;
    return row?.rid;
  }

  private insertKeywordRow(rid: number, p: PreparedItem): void {
    this.stmt("INSERT INTO items_fts(rowid, memory, key, tags) VALUES (?, ?, ?, ?)").run(
      BigInt(rid),
      ...ftsColumns(p.memory, p.metadata),
    );
  }

  /** Note a vector change for the generation counter and, when one is held, the ANN index. */
  private vectorChanged(op: Exclude<VectorOp, { op: "bump" }>): void {
    this.vecChanges++;
    if (this.ann) this.pendingVec.push(op);
  }

  private insertVector(rid: number, vector: Float32Array, metadata: Record<string, unknown>): void {
    // A copy: the caller may reuse its array before the transaction commits.
    this.vectorChanged({ op: "upsert", rid, vector: vector.slice() });
    const cols = VEC_METADATA_COLUMNS.join(", ");
    this.stmt(`INSERT INTO vec_items(rowid, embedding, ${cols}) VALUES (?, ?, ?, ?, ?)`).run(
      BigInt(rid),
      vectorBlob(vector),
      ...VEC_METADATA_COLUMNS.map((c) => vecColumnValue(metadata[c])),
    );
  }

  private insertItem(p: PreparedItem): void {
    let rid: number;
    try {
      rid = Number(
        this.stmt("INSERT INTO items(id, memory, metadata) VALUES (?, ?, jsonb(?))").run(
          p.id,
          p.memory,
          p.metadataJson,
        ).lastInsertRowid,
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new StorageError({
          message: `a memory with id ${p.id} already exists; nothing of this batch was written`,
          hint: "use upsertItems or updateItem to change an existing memory",
          cause: error,
        });
      }
      throw error;
    }
    this.insertKeywordRow(rid, p);
    if (p.vector) this.insertVector(rid, p.vector, p.metadata);
  }

  /** Replace text and metadata of an existing row; the vector too when given, else keep it. */
  private replaceItem(rid: number, p: PreparedItem): void {
    // Metadata-only changes (usage records, history) are frequent: the keyword row and the
    // vector's filter columns are rewritten only when what they index changed.
    const old = this.stmt("SELECT memory, json(metadata) AS metadata FROM items WHERE rid = ?").get(rid) as
      | { memory: string; metadata: string }
      | undefined;
    const oldMeta = old ? (JSON.parse(old.metadata) as Record<string, unknown>) : undefined;
    const sameKeywords =
      old !== undefined &&
      oldMeta !== undefined &&
      ftsColumns(old.memory, oldMeta).join("\u0000") === ftsColumns(p.memory, p.metadata).join("\u0000");
    const sameVecColumns =
      oldMeta !== undefined &&
      VEC_METADATA_COLUMNS.every((c) => vecColumnValue(oldMeta[c]) === vecColumnValue(p.metadata[c]));
    this.stmt("UPDATE items SET memory = ?, metadata = jsonb(?) WHERE rid = ?").run(
      p.memory,
      p.metadataJson,
      rid,
    );
    if (!sameKeywords) {
      this.stmt("DELETE FROM items_fts WHERE rowid = ?").run(BigInt(rid));
      this.insertKeywordRow(rid, p);
    }
    if (this.dims === undefined) return;
    if (p.vector) {
      this.stmt("DELETE FROM vec_items WHERE rowid = ?").run(BigInt(rid));
      this.insertVector(rid, p.vector, p.metadata);
    } else if (!sameVecColumns) {
      // The kept vector's filter columns must follow the new metadata.
      const sets = VEC_METADATA_COLUMNS.map((c) => `${c} = ?`).join(", ");
      this.stmt(`UPDATE vec_items SET ${sets} WHERE rowid = ?`).run(
        ...VEC_METADATA_COLUMNS.map((c) => vecColumnValue(p.metadata[c])),
        BigInt(rid),
      );
    }
  }

  private deleteRids(rids: number[]): void {
    for (const rid of rids) {
      if (this.dims !== undefined) {
        this.stmt("DELETE FROM vec_items WHERE rowid = ?").run(BigInt(rid));
        this.vectorChanged({ op: "remove", rid });
      }
      this.stmt("DELETE FROM items_fts WHERE rowid = ?").run(BigInt(rid));
      // Edges go with the item: ON DELETE CASCADE.
      this.stmt("DELETE FROM items WHERE rid = ?").run(rid);
    }
  }

  /** Empty the cube but keep its dimension: the cube's embedder has not changed. */
  private wipe(): number {
    const n = (this.stmt("SELECT count(*) AS n FROM items").get() as { n: number }).n;
    this.db.exec("DELETE FROM edges; DELETE FROM items_fts; DELETE FROM items;");
    if (this.dims !== undefined) {
      // Dropping and recreating is far faster than deleting vec0 rows one chunk at a time.
      this.db.exec("DROP TABLE vec_items");
      createVectorTable(this.db, this.dims);
      this.vectorChanged({ op: "reset" });
    }
    return n;
  }

  private where(filter: Filter, alias = "i"): SqlFragment {
    const node = resolveFilter(filter);
    return node ? compileFilter(node, alias) : { sql: "1", params: [] };
  }

  // ---------------------------------------------------------------- items

  addItems(items: StoredItem[]): void {
    const prepared = this.prepareBatch(items, "addItems");
    if (prepared.length === 0) return;
    const seen = new Set<string>();
    for (const p of prepared) {
      if (seen.has(p.id)) {
        throw new StorageError({
          message: `id ${p.id} appears twice in this batch; nothing was written`,
          hint: "give every memory its own id (newId()), or use upsertItems",
        });
      }
      seen.add(p.id);
    }
    this.write(() => {
      this.checkBatchDimensions(prepared);
      for (const p of prepared) this.insertItem(p);
    });
  }

  upsertItems(items: StoredItem[]): void {
    const prepared = this.prepareBatch(items, "upsertItems");
    if (prepared.length === 0) return;
    this.write(() => {
      this.checkBatchDimensions(prepared);
      for (const p of prepared) {
        const rid = this.ridOf(p.id);
        if (rid === undefined) this.insertItem(p);
        else this.replaceItem(rid, p);
      }
    });
  }

  updateItem(id: string, item: TextualMemoryItem, embedding?: Float32Array): void {
    assertId(id, "updateItem id");
    const p = this.prepareItem({ item, ...(embedding === undefined ? {} : { embedding }) }, "item");
    if (p.id !== id) {
      throw new InvalidInputError({
        message: `updateItem(${id}) was given an item with id ${p.id}`,
        hint: "an update keeps the id; to re-key a memory, add the new one and delete the old",
      });
    }
    this.write(() => {
      const rid = this.ridOf(id);
      if (rid === undefined) {
        throw new NotFoundError({ message: `memory ${id} not found`, hint: "use addItems to create it" });
      }
      if (p.vector) this.ensureDimensions(p.vector.length);
      this.replaceItem(rid, p);
    });
  }

  getItem(id: string): TextualMemoryItem | null {
    assertId(id, "getItem id");
    const row = this.stmt("SELECT rid, id, memory, json(metadata) AS metadata FROM items WHERE id = ?").get(
      id,
    ) as ItemRow | undefined;
    return row ? toItem(row) : null;
  }

  getItems(ids: string[]): TextualMemoryItem[] {
    assertIds(ids, "getItems");
    if (ids.length === 0) return [];
    const rows = this.stmt(
      "SELECT rid, id, memory, json(metadata) AS metadata FROM items WHERE id IN (SELECT value FROM json_each(?))",
    ).all(JSON.stringify(ids)) as ItemRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out: TextualMemoryItem[] = [];
    for (const id of new Set(ids)) {
      const row = byId.get(id);
      if (row) out.push(toItem(row));
    }
    return out;
  }

  getEmbedding(id: string): Float32Array | null {
    assertId(id, "getEmbedding id");
    if (this.dims === undefined) return null;
    const rid = this.ridOf(id);
    if (rid === undefined) return null;
    const row = this.stmt("SELECT embedding FROM vec_items WHERE rowid = ?").get(BigInt(rid)) as
      | { embedding: Buffer }
      | undefined;
    return row ? blobToVector(row.embedding) : null;
  }

  deleteItems(ids: string[]): number {
    assertIds(ids, "deleteItems");
    if (ids.length === 0) return 0;
    return this.write(() => {
      const rids = (
        this.stmt("SELECT rid FROM items WHERE id IN (SELECT value FROM json_each(?))").all(
          JSON.stringify(ids),
        ) as {
          rid: number;
        }[]
      ).map((r) => r.rid);
      this.deleteRids(rids);
      return rids.length;
    });
  }

  deleteWhere(filter?: Filter): number {
    const node = resolveFilter(filter);
    return this.write(() => {
      if (!node) return this.wipe();
      const w = compileFilter(node);
      const rids = (
        this.stmt(`SELECT i.rid FROM items i WHERE ${w.sql}`).all(...w.params) as { rid: number }[]
      ).map((r) => r.rid);
      this.deleteRids(rids);
      return rids.length;
    });
  }

  listItems(options: ListOptions = {}): TextualMemoryItem[] {
    const { limit, offset = 0, orderBy = "created_at", order = "asc" } = options;
    if (orderBy !== "created_at" && orderBy !== "updated_at") {
      throw new InvalidInputError({
        message: `orderBy must be "created_at" or "updated_at", got ${String(orderBy)}`,
        hint: 'e.g. {orderBy: "updated_at"}',
      });
    }
    if (order !== "asc" && order !== "desc") {
      throw new InvalidInputError({
        message: `order must be "asc" or "desc", got ${String(order)}`,
        hint: 'e.g. {order: "desc"}',
      });
    }
    if (limit !== undefined) assertCount(limit, "limit");
    assertCount(offset, "offset");
    const w = this.where(options.filter);
    const dir = order === "asc" ? "ASC" : "DESC";
    const rows = this.stmt(
      `SELECT i.rid, i.id, i.memory, json(i.metadata) AS metadata FROM items i WHERE ${w.sql}
       ORDER BY i.${orderBy} ${dir}, i.id ${dir} LIMIT ? OFFSET ?`,
    ).all(...w.params, limit ?? -1, offset) as ItemRow[];
    return rows.map(toItem);
  }

  count(filter?: Filter): number {
    const w = this.where(filter);
    return (this.stmt(`SELECT count(*) AS n FROM items i WHERE ${w.sql}`).get(...w.params) as { n: number })
      .n;
  }

  // ---------------------------------------------------------------- search

  vectorSearch(vector: Float32Array, options: SearchOptions): ScoredId[] {
    const k = searchK(options);
    const node = resolveFilter(options.filter);
    const q = toVector(vector, "query vector");
    if (isZeroVector(q)) {
      throw new InvalidInputError({
        message: "the query vector is all zeros, so it has no direction to compare",
        hint: "embed a non-empty query; an embedder gives zeros for text it has no words for",
      });
    }
    if (this.dims === undefined) return []; // nothing has a vector yet
    if (q.length !== this.dims) throw dimensionMismatch(q.length, this.dims, "the query vector");
    const blob = vectorBlob(q);
    const w = node ? compileFilter(node) : { sql: "1", params: [] };

    if (k > VEC_MAX_K) return this.exactVectorScan(blob, w, k);
    const ann = this.annFor();
    if (ann) {
      const hits = this.annSearch(ann, q, w, node !== undefined, k);
      if (hits) return hits;
    }
    return this.knnSearch(blob, w, node, k);
  }

  /** Exact KNN by sqlite-vec, with the part of the filter it can run inside the scan. */
  private knnSearch(blob: Buffer, w: SqlFragment, node: FilterNode | undefined, k: number): ScoredId[] {
    const push = vecPushdown(node);

    const fetch = push.exact ? k : Math.min(VEC_MAX_K, Math.max(k * OVERFETCH_FACTOR, OVERFETCH_MIN));
    // MATERIALIZED keeps the KNN a single sqlite-vec scan instead of one probe per joined row,
    // and CROSS JOIN keeps the candidates as the outer loop: otherwise the planner may walk a
    // filter index over most of the table and probe the candidates for each row.
    // A stored all-zero vector has no direction: its cosine distance is NULL and it is never a
    // match (the item is still found by keyword and graph search).
    const rows = this.stmt(
      `WITH knn AS MATERIALIZED (
         SELECT rowid AS rid, distance FROM vec_items WHERE embedding MATCH ? AND k = ?${push.sql}
       )
       SELECT i.id AS id, knn.distance AS distance, (SELECT count(*) FROM knn) AS fetched
       FROM knn CROSS JOIN items i ON i.rid = knn.rid
       WHERE knn.distance IS NOT NULL AND ${w.sql}
       ORDER BY knn.distance, i.id
       LIMIT ?`,
    ).all(blob, fetch, ...push.params, ...w.params, k) as { id: string; distance: number; fetched: number }[];
    // Done when k passed, or when sqlite-vec ran out of candidates (it saw every vector that
    // could match). With no row at all we cannot tell, and the exact search below decides.
    const fetched = rows[0]?.fetched ?? fetch;
    if (rows.length >= k || fetched < fetch) return rows.map(scored);
    return this.exactFilteredSearch(blob, w, k);
  }

  // ---------------------------------------------------------------- approximate search

  /**
   * The HNSW index to search, or undefined when exact search must (or may as well) run: the
   * cube is small, the option is off, or this transaction has uncommitted vector changes (vec0
   * is then ahead of any index, and an index built from uncommitted rows could outlive a
   * rollback under a generation that later means something else). A stale index is replaced by
   * the saved file when that matches, else rebuilt from vec0, here, synchronously.
   */
  private annFor(): AnnIndex | undefined {
    const dims = this.dims;
    // pendingVec holds at least a "bump" for every uncommitted vector change.
    if (!Number.isFinite(this.annThreshold) || dims === undefined || this.pendingVec.length > 0)
      return undefined;
    const stamp = readVectorStamp(this.db);
    const ann = this.ann;
    if (ann && ann.stamp.epoch === stamp.epoch && ann.stamp.generation === stamp.generation) {
      return ann.size > this.annThreshold ? ann : undefined;
    }
    this.ann = undefined;
    const rows = this.vectorRows();
    if (rows <= this.annThreshold) return undefined;
    // A build that failed (usearch error, memory) is not retried until the vectors change.
    if (this.annFailed?.epoch === stamp.epoch && this.annFailed.generation === stamp.generation)
      return undefined;
    try {
      const fresh = this.loadOrBuildAnn(dims, stamp, rows);
      this.ann = fresh;
      return fresh.size > this.annThreshold ? fresh : undefined;
    } catch {
      // The index is only a cache: exact search still answers, just slower.
      this.annFailed = stamp;
      return undefined;
    }
  }

  private loadOrBuildAnn(dims: number, stamp: VectorStamp, rows: number): AnnIndex {
    const start = performance.now();
    const memory = this.path === ":memory:";
    let fresh = memory ? undefined : AnnIndex.load(this.path, dims, stamp, rows);
    if (fresh) {
      this.annLast = { source: "loaded", ms: performance.now() - start };
      return fresh;
    }
    fresh = this.read(() =>
      AnnIndex.build(
        dims,
        readVectorStamp(this.db),
        this.stmt("SELECT rowid AS rid, embedding FROM vec_items").iterate() as Iterable<{
          rid: number;
          embedding: Buffer;
        }>,
      ),
    );
    this.annLast = { source: "built", ms: performance.now() - start };
    if (!memory && !this.db.inTransaction) this.trySave(fresh, rows);
    return fresh;
  }

  private vectorRows(): number {
    return (this.stmt("SELECT count(*) AS n FROM vec_items_rowids").get() as { n: number }).n;
  }

  /** Saving is only a cache write: a failure costs a rebuild at the next open, never data. */
  private trySave(ann: AnnIndex, rows: number): void {
    try {
      ann.save(this.path, rows);
    } catch {
      // Already a StorageError with a hint; searching goes on from memory.
    }
  }

  /** At close: keep the in-memory index for the next open when it is current and unsaved. */
  private saveAnn(): void {
    const ann = this.ann;
    if (!ann || this.path === ":memory:" || this.pendingVec.length > 0 || this.db.inTransaction) return;
    if (ann.savedGeneration === ann.stamp.generation) return;
    const stamp = readVectorStamp(this.db);
    if (stamp.epoch !== ann.stamp.epoch || stamp.generation !== ann.stamp.generation) return;
    this.trySave(ann, this.vectorRows());
  }

  /**
   * After a commit, replay its vector changes on the in-memory index. They apply only when the
   * committed generation is exactly the index's plus this transaction's steps; anything else
   * means another connection wrote in between, and the index is dropped (reloaded or rebuilt on
   * the next search) rather than patched into something vec0 does not hold.
   */
  private applyVectorOps(): void {
    const ops = this.pendingVec;
    this.pendingVec = [];
    this.marks.length = 0;
    const ann = this.ann;
    if (!ann) return;
    const steps = ops.filter((o) => o.op === "bump").length;
    if (steps === 0) return;
    const stamp = readVectorStamp(this.db);
    if (stamp.epoch !== ann.stamp.epoch || stamp.generation !== ann.stamp.generation + steps) {
      this.ann = undefined;
      return;
    }
    try {
      let target = ann;
      // Runs of upserts go in as one batch; removes and resets keep their place in the order.
      let run: { rid: number; vector: Float32Array }[] = [];
      const flush = () => {
        if (run.length > 0) target.upsertMany(run);
        run = [];
      };
      for (const o of ops) {
        if (o.op === "upsert") run.push(o);
        else if (o.op === "remove") {
          flush();
          target.remove(o.rid);
        } else if (o.op === "reset") {
          run = [];
          target = AnnIndex.create(ann.dimensions, stamp);
        }
      }
      flush();
      target.stamp = stamp;
      this.ann = target;
    } catch {
      this.ann = undefined; // a usearch failure only costs a rebuild
    }
  }

  /**
   * Vector search through the HNSW index: fetch candidates with their exact cosine distances
   * (computed by usearch from its stored copy of each vector), keep those the full filter lets
   * through, best k by (distance, id) as the exact path orders them. The result equals exact
   * search whenever the true top k are among the candidates. Returns undefined when too few
   * candidates pass even after growing the fetch once; the caller then runs the exact path.
   */
  private annSearch(
    ann: AnnIndex,
    q: Float32Array,
    w: SqlFragment,
    filtered: boolean,
    k: number,
  ): ScoredId[] | undefined {
    let fetch = Math.max(k * (filtered ? ANN_FILTER_OVERFETCH : ANN_OVERFETCH), ANN_MIN_FETCH);
    for (let round = 0; round < 2; round++) {
      const hits = ann.search(q, Math.min(fetch, ann.size));
      const rows = this.passing(hits, w, k);
      if (rows.length >= k) return rows;
      // The index holds fewer than k matching vectors, or the filter is selective: in both
      // cases exact search is cheap or needed, and it cannot miss anything.
      if (fetch >= ann.size) return undefined;
      fetch *= ANN_GROWTH;
    }
    return undefined;
  }

  /** The candidates whose items pass the filter, best k, ordered as the exact path orders. */
  private passing(hits: { rid: number; distance: number }[], w: SqlFragment, k: number): ScoredId[] {
    if (hits.length === 0) return [];
    const ids = new Map(
      (
        this.stmt(
          `SELECT i.rid AS rid, i.id AS id FROM json_each(?) AS j CROSS JOIN items i ON i.rid = j.value
           WHERE ${w.sql}`,
        ).all(JSON.stringify(hits.map((h) => h.rid)), ...w.params) as { rid: number; id: string }[]
      ).map((r) => [r.rid, r.id]),
    );
    const out: { id: string; distance: number }[] = [];
    for (const h of hits) {
      const id = ids.get(h.rid);
      if (id !== undefined) out.push({ id, distance: h.distance });
    }
    // Ties break by id in SQLite's BINARY collation (UTF-8 bytes), as ORDER BY id does.
    out.sort((a, b) => a.distance - b.distance || Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));
    return out.slice(0, k).map(scored);
  }

  /** The approximate index's state (see {@link AnnStatus}). */
  annStatus(): AnnStatus {
    return {
      threshold: this.annThreshold,
      size: this.ann?.size,
      generation: this.ann?.stamp.generation,
      last: this.annLast,
    };
  }

  /**
   * The filter is selective: too few of the nearest candidates pass it. Find the rows that pass,
   * then rank exactly among them: one distance each when they are few, else a sqlite-vec scan
   * restricted to them.
   */
  private exactFilteredSearch(blob: Buffer, w: SqlFragment, k: number): ScoredId[] {
    const rids = (
      this.stmt(`SELECT i.rid AS rid FROM items i WHERE ${w.sql}`).all(...w.params) as { rid: number }[]
    ).map((r) => r.rid);
    if (rids.length === 0) return [];
    const ridJson = JSON.stringify(rids);
    const rows =
      rids.length <= POINT_LOOKUP_LIMIT
        ? (this.stmt(
            `SELECT it.id AS id, x.distance AS distance FROM (
               SELECT j.value AS rid, vec_distance_cosine(v.embedding, ?) AS distance
               FROM json_each(?) AS j CROSS JOIN vec_items v ON v.rowid = j.value
             ) AS x JOIN items it ON it.rid = x.rid
             WHERE x.distance IS NOT NULL
             ORDER BY x.distance, it.id LIMIT ?`,
          ).all(blob, ridJson, k) as { id: string; distance: number }[])
        : (this.stmt(
            `WITH knn AS MATERIALIZED (
               SELECT rowid AS rid, distance FROM vec_items
               WHERE embedding MATCH ? AND k = ? AND rowid IN (SELECT value FROM json_each(?))
             )
             SELECT it.id AS id, knn.distance AS distance FROM knn JOIN items it ON it.rid = knn.rid
             WHERE knn.distance IS NOT NULL
             ORDER BY knn.distance, it.id`,
          ).all(blob, k, ridJson) as { id: string; distance: number }[]);
    return rows.map(scored);
  }

  /** Exact search over every filtered row; only for k beyond sqlite-vec's KNN limit. */
  private exactVectorScan(blob: Buffer, w: SqlFragment, k: number): ScoredId[] {
    const rows = this.stmt(
      `SELECT id, distance FROM (
         SELECT i.id AS id, vec_distance_cosine(v.embedding, ?) AS distance
         FROM items i CROSS JOIN vec_items v ON v.rowid = i.rid
         WHERE ${w.sql}
       ) WHERE distance IS NOT NULL
       ORDER BY distance, id LIMIT ?`,
    ).all(blob, ...w.params, k) as { id: string; distance: number }[];
    return rows.map(scored);
  }

  keywordSearch(query: string, options: SearchOptions): ScoredId[] {
    const k = searchK(options);
    if (typeof query !== "string") {
      throw new InvalidInputError({
        message: "keyword query must be a string",
        hint: 'e.g. keywordSearch("coffee", {k: 5})',
      });
    }
    const node = resolveFilter(options.filter);
    const { terms, large } = this.keywordTerms(query);
    const match = matchExpression(terms);
    if (match === null) return []; // only punctuation: there is no word to look for
    // Large cubes: memories holding every query term first (conjunctive-first, as search engines
    // do), any-term matching only when fewer than k do. Scoring every memory that holds one
    // common word is what makes BM25 slow at scale; a memory with all the terms outranks one
    // with a subset in nearly every case anyway.
    if (large && terms.length >= 2) {
      const all = this.rankKeyword(matchExpression(terms, "AND") as string, node, k);
      if (all.length >= k) return all;
    }
    return this.rankKeyword(match, node, k);
  }

  /** BM25 ranking of an FTS5 MATCH expression, filtered, best first. */
  private rankKeyword(match: string, node: FilterNode | undefined, k: number): ScoredId[] {
    // bm25() is lower-is-better (negative); the interface wants higher-is-better.
    const toScored = (rows: { id: string; rank: number }[]) =>
      rows.map((r) => ({ id: r.id, score: -r.rank }));
    // Rank inside FTS5 first and join only the best hits: joining every match of a common word
    // before sorting costs more than the ranking itself.
    const fetch = node ? Math.max(k * KEYWORD_OVERFETCH_FACTOR, KEYWORD_OVERFETCH_MIN) : k;
    const w = node ? compileFilter(node) : { sql: "1", params: [] };
    const rows = this.stmt(
      `WITH hits AS MATERIALIZED (
         SELECT rowid AS rid, bm25(items_fts) AS rank FROM items_fts WHERE items_fts MATCH ?
         ORDER BY rank, rowid LIMIT ?
       )
       SELECT i.id AS id, hits.rank AS rank, (SELECT count(*) FROM hits) AS fetched
       FROM hits CROSS JOIN items i ON i.rid = hits.rid
       WHERE ${w.sql}
       ORDER BY hits.rank, i.id LIMIT ?`,
    ).all(match, fetch, ...w.params, k) as { id: string; rank: number; fetched: number }[];
    const fetched = rows[0]?.fetched ?? fetch;
    if (rows.length >= k || fetched < fetch) return toScored(rows);
    // A selective filter: rank every match that passes it.
    return toScored(
      this.stmt(
        `SELECT i.id AS id, bm25(items_fts) AS rank
         FROM items_fts CROSS JOIN items i ON i.rid = items_fts.rowid
         WHERE items_fts MATCH ? AND ${w.sql}
         ORDER BY rank, i.id LIMIT ?`,
      ).all(match, ...w.params, k) as { id: string; rank: number }[],
    );
  }

  /**
   * The query's terms, without those common enough to cost more than they rank (see
   * pruneCommonTerms): read in one snapshot, so the counts agree with each other.
   */
  private keywordTerms(query: string): { terms: string[]; large: boolean } {
    const terms = queryTerms(query);
    if (terms.length < 2) return { terms, large: false };
    const inTransaction = this.db.inTransaction;
    return this.read(() => {
      const docs = (this.stmt("SELECT count(*) AS n FROM items").get() as { n: number }).n;
      if (docs < PRUNE_MIN_DOCS) return { terms, large: false };
      // data_version moves with other connections' commits, `commits` with this one's; inside
      // an open transaction its own uncommitted writes move neither, so do not cache there.
      const version = inTransaction
        ? `tx:${Math.random()}`
        : `${this.db.pragma("data_version", { simple: true })}:${this.commits}`;
      const df = this.termStats.documentFrequencies(terms, version);
      return { terms: pruneCommonTerms(terms, (t) => df.get(t), docs), large: true };
    });
  }

  // ---------------------------------------------------------------- edges

  addEdges(edges: MemoryEdge[]): void {
    if (!Array.isArray(edges))
      throw new InvalidInputError({
        message: "addEdges expects an array",
        hint: "pass a list of {source, target, type}",
      });
    const parsed = edges.map((e, i) => parseEdge(e, `edges[${i}]`));
    if (parsed.length === 0) return;
    this.write(() => {
      for (const e of parsed) {
        for (const end of [e.source, e.target]) {
          if (this.ridOf(end) === undefined) {
            throw new NotFoundError({
              message: `edge ${e.source} -${e.type}-> ${e.target}: memory ${end} not found; no edge of this batch was added`,
              hint: "add both memories before the edge between them",
            });
          }
        }
        this.insertEdge(e);
      }
    });
  }

  private insertEdge(e: MemoryEdge): void {
    const { source, target, type, ...rest } = e;
    this.stmt(
      `INSERT INTO edges(source, target, type, metadata) VALUES (?, ?, ?, ?)
       ON CONFLICT(source, target, type) DO UPDATE SET metadata = excluded.metadata`,
    ).run(source, target, type, JSON.stringify(rest));
  }

  removeEdges(edges: Pick<MemoryEdge, "source" | "target" | "type">[]): number {
    if (!Array.isArray(edges))
      throw new InvalidInputError({
        message: "removeEdges expects an array",
        hint: "pass a list of {source, target, type}",
      });
    const keys = edges.map((e, i) => {
      const p = parseEdge(e, `edges[${i}]`);
      return [p.source, p.target, p.type] as const;
    });
    return this.write(() => {
      let n = 0;
      for (const k of keys)
        n += this.stmt("DELETE FROM edges WHERE source = ? AND target = ? AND type = ?").run(...k).changes;
      return n;
    });
  }

  getEdges(id: string, options: NeighborOptions = {}): MemoryEdge[] {
    assertId(id, "getEdges id");
    const direction = options.direction ?? "both";
    const types = edgeTypes(options.types);
    let where: string;
    let params: unknown[];
    if (direction === "out") [where, params] = ["source = ?", [id]];
    else if (direction === "in") [where, params] = ["target = ?", [id]];
    else if (direction === "both") [where, params] = ["(source = ? OR target = ?)", [id, id]];
    else {
      throw new InvalidInputError({
        message: `direction must be "out", "in" or "both", got ${String(direction)}`,
        hint: 'e.g. {direction: "out"}',
      });
    }
    if (types) {
      where += " AND type IN (SELECT value FROM json_each(?))";
      params.push(JSON.stringify(types));
    }
    const rows = this.stmt(
      `SELECT source, target, type, metadata FROM edges WHERE ${where} ORDER BY source, target, type`,
    ).all(...params) as EdgeRow[];
    return rows.map(toEdge);
  }

  neighbors(id: string, options: NeighborOptions = {}): string[] {
    const out = new Set<string>();
    for (const e of this.getEdges(id, options)) out.add(e.source === id ? e.target : e.source);
    return [...out];
  }

  subgraph(seedIds: string[], depth: number, options: { types?: EdgeType[] } = {}): Subgraph {
    assertIds(seedIds, "subgraph seeds");
    if (!Number.isInteger(depth) || depth < 0) {
      throw new InvalidInputError({
        message: `depth must be a non-negative integer, got ${depth}`,
        hint: "e.g. subgraph([id], 2)",
      });
    }
    const types = edgeTypes(options.types);
    if (seedIds.length === 0) return { nodes: [], edges: [] };
    const typeSql = types ? " AND e.type IN (SELECT value FROM json_each(?))" : "";
    const typeParams = types ? [JSON.stringify(types)] : [];
    return this.read(() => {
      // UNION (not UNION ALL) drops repeated (id, hop) pairs, so cycles cannot grow the walk.
      const ids = (
        this.stmt(
          `WITH RECURSIVE reach(id, hop) AS (
             SELECT id, 0 FROM items WHERE id IN (SELECT value FROM json_each(?))
             UNION
             SELECT e.target, r.hop + 1 FROM reach r JOIN edges e ON e.source = r.id WHERE r.hop < ?${typeSql}
             UNION
             SELECT e.source, r.hop + 1 FROM reach r JOIN edges e ON e.target = r.id WHERE r.hop < ?${typeSql}
           )
           SELECT DISTINCT id FROM reach`,
        ).all(JSON.stringify(seedIds), depth, ...typeParams, depth, ...typeParams) as { id: string }[]
      ).map((r) => r.id);
      const idJson = JSON.stringify(ids);
      const nodes = (
        this.stmt(
          "SELECT rid, id, memory, json(metadata) AS metadata FROM items WHERE id IN (SELECT value FROM json_each(?)) ORDER BY rid",
        ).all(idJson) as ItemRow[]
      ).map(toItem);
      const edges = (
        this.stmt(
          `WITH n(id) AS (SELECT value FROM json_each(?))
           SELECT e.source, e.target, e.type, e.metadata FROM edges e
           WHERE e.source IN n AND e.target IN n${typeSql}
           ORDER BY e.source, e.target, e.type`,
        ).all(idJson, ...typeParams) as EdgeRow[]
      ).map(toEdge);
      return { nodes, edges };
    });
  }

  // ---------------------------------------------------------------- export / import

  exportAll(): TextualMemoryExport {
    return this.read(() => {
      const vectors = new Map<number, Float32Array>();
      if (this.dims !== undefined) {
        for (const r of this.stmt("SELECT rowid AS rid, embedding FROM vec_items").all() as {
          rid: number;
          embedding: Buffer;
        }[]) {
          vectors.set(r.rid, blobToVector(r.embedding));
        }
      }
      const nodes = (
        this.stmt(
          "SELECT rid, id, memory, json(metadata) AS metadata FROM items ORDER BY rid",
        ).all() as ItemRow[]
      ).map((row) => {
        const item = toItem(row);
        const v = vectors.get(row.rid);
        if (v) item.metadata.embedding = Array.from(v);
        return item;
      });
      const edges = (
        this.stmt(
          "SELECT source, target, type, metadata FROM edges ORDER BY source, target, type",
        ).all() as EdgeRow[]
      ).map(toEdge);
      return { nodes, edges, total_nodes: nodes.length, total_edges: edges.length };
    });
  }

  importAll(data: TextualMemoryExport, options: { mode?: "replace" | "merge" } = {}): void {
    const mode = options.mode ?? "merge";
    if (mode !== "replace" && mode !== "merge") {
      throw new InvalidInputError({
        message: `import mode must be "replace" or "merge", got ${String(mode)}`,
        hint: 'e.g. {mode: "merge"}',
      });
    }
    const parsed = TextualMemoryExport.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidInputError({
        message: `import data: ${issue?.path.join(".") || "(root)"} ${issue?.message ?? "is invalid"}`,
        hint: "expected MemOS textual_memory.json: {nodes: [{id, memory, metadata}], edges: [{source, target, type}]}",
      });
    }
    const { nodes, edges } = parsed.data;
    this.write(() => {
      if (mode === "replace") this.wipe();
      nodes.forEach((node, i) => {
        const { embedding, ...metadata } = node.metadata;
        let vector: Float32Array | undefined;
        if (embedding && embedding.length > 0) {
          if (this.dims === undefined) this.ensureDimensions(embedding.length);
          // A vector of another size came from another embedder: keep the memory, drop the
          // vector, and let the caller re-embed it.
          if (embedding.length === this.dims) vector = toVector(embedding, `nodes[${i}].metadata.embedding`);
        }
        const p = this.prepareItem(
          { item: { ...node, metadata }, ...(vector ? { embedding: vector } : {}) },
          `nodes[${i}]`,
        );
        const rid = this.ridOf(p.id);
        if (rid === undefined) this.insertItem(p);
        else this.replaceItem(rid, p);
      });
      edges.forEach((e, i) => {
        for (const end of [e.source, e.target]) {
          if (this.ridOf(end) === undefined) {
            throw new InvalidInputError({
              message: `import data: edges[${i}] (${e.source} -${e.type}-> ${e.target}) names memory ${end}, which is neither in the import nor in the cube`,
              hint: "remove the edge or include its memories; nothing was imported",
            });
          }
        }
        this.insertEdge(e);
      });
    });
  }

  // ---------------------------------------------------------------- maintenance

  /**
   * Check the file and the agreement between items, vectors and keyword rows: every vector and
   * keyword row belongs to an item, every item has a keyword row, and edges point at items.
   */
  checkIntegrity(): IntegrityReport {
    return this.read(() => {
      const problems: string[] = [];
      const integrity = (this.db.pragma("integrity_check") as { integrity_check: string }[]).map(
        (r) => r.integrity_check,
      );
      if (integrity.join() !== "ok") problems.push(...integrity.map((m) => `integrity_check: ${m}`));
      const fk = this.db.pragma("foreign_key_check") as unknown[];
      if (fk.length > 0) problems.push(`${fk.length} edge(s) point at missing memories`);
      try {
        this.db.exec("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')");
      } catch (error) {
        problems.push(`keyword index: ${(error as Error).message}`);
      }
      const n = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
      const items = n("SELECT count(*) AS n FROM items");
      const keywordRows = n("SELECT count(*) AS n FROM items_fts");
      const edges = n("SELECT count(*) AS n FROM edges");
      const noKeyword = n("SELECT count(*) AS n FROM items WHERE rid NOT IN (SELECT rowid FROM items_fts)");
      const strayKeyword = n(
        "SELECT count(*) AS n FROM items_fts WHERE rowid NOT IN (SELECT rid FROM items)",
      );
      if (noKeyword) problems.push(`${noKeyword} memory(ies) have no keyword row`);
      if (strayKeyword) problems.push(`${strayKeyword} keyword row(s) belong to no memory`);
      let vectors = 0;
      if (this.dims !== undefined) {
        vectors = n("SELECT count(*) AS n FROM vec_items");
        const strayVectors = n(
          "SELECT count(*) AS n FROM vec_items WHERE rowid NOT IN (SELECT rid FROM items)",
        );
        if (strayVectors) problems.push(`${strayVectors} vector(s) belong to no memory`);
      }
      return { ok: problems.length === 0, problems, items, vectors, keywordRows, edges };
    });
  }
}
