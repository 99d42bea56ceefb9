import { rmSync } from "node:fs";
import { AnnIndex, type SavedIndex } from "./ann.js";
import { type BackgroundBuild, type BuiltIndex, buildInBackground, buildSource } from "./ann-builder.js";
import {
  type AnnSearcher,
  applyChanges,
  type PendingChanges,
  readChanges,
  searchWithChanges,
} from "./ann-changes.js";
import type { AnnStatus, VectorOp } from "./ann-status.js";
import type { SqliteContext } from "./context.js";
import { bumpVectorGeneration, readVectorStamp, type VectorStamp } from "./schema.js";
import {
  changedSince,
  pruneVectorLog,
  resetVectorLog,
  VectorLogBuffer,
  vectorLogFloor,
} from "./vector-log.js";

/** Up to this many vectors a build runs inline (well under a second); beyond, on a worker thread. */
export const INLINE_BUILD_LIMIT = 2048;
/**
 * Up to this many changed vectors, a search brings the index up to date itself (each costs
 * about a millisecond); beyond, the index is rebuilt in the background and search runs exact.
 */
export const CATCH_UP_LIMIT = 512;

/**
 * The HNSW index's life beside the cube (ann.ts holds the index itself): when to use one,
 * loading or building it (in the background once it is big), following this connection's
 * commits, catching up with other connections' from the change log, and saving it. It also keeps
 * the ledger of vector changes that the engine's transactions commit or roll back.
 */
export class AnnCache {
  /** The HNSW cache of the vectors, when the cube is big enough to want one. */
  private ann: AnnIndex | undefined;
  private last: AnnStatus["last"];
  private failed: VectorStamp | undefined;
  /** Vector changes of the open transaction, applied to `ann` once it commits. */
  private pending: VectorOp[] = [];
  /** The index that saw every op in `pending`; replay is only valid into that one. */
  private pendingFor: AnnIndex | undefined;
  /** Counts vector changes, so a write knows whether to bump the generation. */
  private changes = 0;
  /** The innermost open write's vector changes, for the change log (written in `bumped`). */
  readonly log: VectorLogBuffer;
  private build: { job: BackgroundBuild; done: Promise<void> } | undefined;
  /** Other connections' committed changes that searches overlay until they are inserted. */
  private unapplied: PendingChanges | undefined;
  private applyScheduled = false;
  private readonly counts = { builds: 0, loads: 0, catchUps: 0, caughtUpVectors: 0 };

  constructor(
    private readonly ctx: SqliteContext,
    readonly threshold: number,
  ) {
    this.log = new VectorLogBuffer(ctx.db);
  }

  /** Note a vector change (inside the write) for the log and, with an index held, for replay. */
  changed(op: Exclude<VectorOp, { op: "bump" }>): void {
    this.changes++;
    if (op.op === "reset") {
      this.log.drop(); // the reset empties the log, with what this write noted before it
      resetVectorLog(this.ctx.db);
    } else this.log.note(op.rid);
    this.note(op);
  }

  private note(op: VectorOp): void {
    if (this.pending.length === 0) this.pendingFor = this.ann;
    if (this.ann || op.op === "bump") this.pending.push(op);
  }

  /** Vector changes so far; a write compares it before and after. */
  get changeCount(): number {
    return this.changes;
  }

  /** The write that just ran changed vectors: bump the stored generation (and prune the log). */
  bumped(): void {
    this.log.flush();
    pruneVectorLog(this.ctx.db, bumpVectorGeneration(this.ctx.db));
    this.note({ op: "bump" });
  }

  /** Pending changes: a transaction or savepoint notes it, to undo back to it on rollback. */
  get pendingLength(): number {
    return this.pending.length;
  }

  /** Forget the changes after `mark`: their savepoint (or the whole transaction) rolled back. */
  truncatePending(mark: number): void {
    if (mark < this.pending.length) this.pending.length = mark;
    if (this.pending.length === 0) this.pendingFor = undefined;
  }

  /**
   * After a commit, replay its vector changes on the in-memory index, when the committed
   * generation is exactly the index's plus this transaction's steps. Otherwise another
   * connection wrote in between, and the next search catches up from the change log instead.
   */
  committed(): void {
    const ops = this.pending;
    const seenBy = this.pendingFor;
    this.pending = [];
    this.pendingFor = undefined;
    const ann = this.ann;
    if (!ann || ann !== seenBy) return;
    const steps = ops.filter((o) => o.op === "bump").length;
    if (steps === 0) return;
    const stamp = readVectorStamp(this.ctx.db);
    if (stamp.epoch !== ann.stamp.epoch || stamp.generation !== ann.stamp.generation + steps) return;
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
   * The HNSW index to search, or undefined when exact search runs instead: the cube is small,
   * the option is off, this transaction has uncommitted vector changes (vec0 is then ahead of
   * any index), or the index is being built in the background. It never waits for a full
   * build: a stale index catches up from the change log when few vectors changed, else a
   * rebuild starts on a worker thread and this search (and those until it lands) run exact.
   */
  index(): AnnSearcher | undefined {
    const dims = this.ctx.dims;
    // `pending` holds at least a "bump" for every uncommitted vector change.
    if (!Number.isFinite(this.threshold) || dims === undefined || this.pending.length > 0) return undefined;
    const found = this.ctx.read(() => this.current(dims));
    this.ctx.memoryMap(found === undefined);
    return found;
  }

  private current(dims: number): AnnSearcher | undefined {
    const stamp = readVectorStamp(this.ctx.db);
    let ann = this.ann;
    // Ahead of this snapshot (an older read transaction): right for later searches, not this one.
    if (ann && ann.stamp.epoch === stamp.epoch && ann.stamp.generation > stamp.generation) return undefined;
    if (ann && ann.stamp.epoch !== stamp.epoch) ann = undefined;
    if (ann && ann.stamp.generation !== stamp.generation) {
      // Behind by a few committed writes (another process's): answer with them overlaid now,
      // and insert them into the graph right after this search has answered.
      const unapplied =
        this.unapplied?.ann === ann && this.unapplied.stamp.generation === stamp.generation
          ? this.unapplied
          : this.readChanges(ann, stamp);
      if (unapplied) {
        this.unapplied = unapplied;
        this.scheduleApply();
        return ann.size > this.threshold ? searchWithChanges(unapplied) : undefined;
      }
      ann = undefined;
    }
    this.ann = ann ?? this.obtain(dims, stamp);
    return this.ann && this.ann.size > this.threshold ? this.ann : undefined;
  }

  private readChanges(ann: AnnIndex, stamp: VectorStamp): PendingChanges | undefined {
    try {
      return readChanges(this.ctx, ann, stamp, CATCH_UP_LIMIT);
    } catch {
      return undefined; // rebuilt instead
    }
  }

  private scheduleApply(): void {
    if (this.applyScheduled) return;
    this.applyScheduled = true;
    setImmediate(() => {
      this.applyScheduled = false;
      this.applyUnapplied();
    });
  }

  /** Insert the overlaid changes into the graph (after the search that read them answered). */
  private applyUnapplied(): void {
    const unapplied = this.unapplied;
    this.unapplied = undefined;
    if (
      !unapplied ||
      unapplied.ann !== this.ann ||
      unapplied.ann.stamp.generation >= unapplied.stamp.generation
    ) {
      return;
    }
    try {
      applyChanges(unapplied);
      this.counts.catchUps++;
      this.counts.caughtUpVectors += unapplied.changed.size;
    } catch {
      this.ann = undefined; // a usearch failure only costs a rebuild
    }
  }

  /**
   * Bring `ann` to `stamp` from the change log, now: re-read the vectors of the rows that changed
   * since its generation and apply them (a row now without a vector is removed). False when the
   * log does not reach back that far or too much changed: the caller rebuilds.
   */
  private catchUp(ann: AnnIndex, stamp: VectorStamp): boolean {
    if (ann.stamp.generation === stamp.generation) return true;
    const changes = this.readChanges(ann, stamp);
    if (!changes) return false;
    try {
      applyChanges(changes);
    } catch {
      return false; // a usearch failure only costs a rebuild
    }
    this.counts.catchUps++;
    this.counts.caughtUpVectors += changes.changed.size;
    return true;
  }

  /**
   * No usable index in memory: load the saved one when the log can bring it up to date here,
   * build a small one now, or start a background job (a full build, or the saved index loaded
   * and caught up on the worker thread when too much changed since it was saved).
   */
  private obtain(dims: number, stamp: VectorStamp): AnnIndex | undefined {
    if (this.build) return undefined;
    const { db } = this.ctx;
    const rows = this.vectorRows();
    if (rows <= this.threshold) return undefined;
    // A build that failed (usearch error, memory) is not retried until the vectors change.
    if (this.failed?.epoch === stamp.epoch && this.failed.generation === stamp.generation) return undefined;
    const background = rows > INLINE_BUILD_LIMIT;
    const saved =
      this.ctx.path === ":memory:"
        ? undefined
        : AnnIndex.findSaved(this.ctx.path, dims, stamp.epoch, {
            from: vectorLogFloor(db),
            to: stamp.generation,
          });
    // At the current generation the row count must agree too (a second check against the cube).
    if (saved && !(saved.stamp.generation === stamp.generation && saved.rows !== rows)) {
      const gap = changedSince(db, saved.stamp.generation, CATCH_UP_LIMIT);
      if (gap && gap.length <= CATCH_UP_LIMIT) {
        const loaded = this.loadSaved(saved, dims);
        if (loaded && this.catchUp(loaded, stamp)) return loaded;
      } else if (background) {
        this.startBuild(dims, stamp, saved);
        return undefined;
      }
    }
    if (background) {
      this.startBuild(dims, stamp);
      return undefined;
    }
    try {
      const start = performance.now();
      const fresh = AnnIndex.build(
        dims,
        stamp,
        this.ctx.stmt("SELECT rowid AS rid, embedding FROM vec_items").iterate() as Iterable<{
          rid: number;
          embedding: Buffer;
        }>,
      );
      this.last = { source: "built", ms: performance.now() - start };
      this.counts.builds++;
      if (this.ctx.path !== ":memory:") this.trySave(fresh, rows);
      return fresh;
    } catch {
      // The index is only a cache: exact search still answers, just slower.
      this.failed = stamp;
      return undefined;
    }
  }

  private loadSaved(saved: SavedIndex, dims: number): AnnIndex | undefined {
    const start = performance.now();
    const loaded = AnnIndex.load(saved, dims);
    if (loaded) {
      this.last = { source: "loaded", ms: performance.now() - start };
      this.counts.loads++;
    }
    return loaded;
  }

  /** Build on a worker thread; searches stay exact until the index lands (see {@link install}). */
  private startBuild(dims: number, stamp: VectorStamp, seed?: SavedIndex): void {
    const start = performance.now();
    let job: BackgroundBuild;
    try {
      const source = buildSource(this.ctx, dims, stamp);
      job = buildInBackground(dims, seed && "path" in source ? { ...source, seed } : source);
    } catch {
      this.failed = stamp; // no worker thread: exact search goes on
      return;
    }
    const done = job.result.then(
      (built) => this.install(built, dims, start),
      () => {
        if (this.build?.job === job && this.ctx.db.open) this.failed = stamp;
      },
    );
    this.build = { job, done: done.finally(() => (this.build = undefined)) };
  }

  /** A background build finished: load its file, keep it beside a file cube, and use it. */
  private install(built: BuiltIndex, dims: number, start: number): void {
    const memory = this.ctx.path === ":memory:";
    try {
      if (!this.ctx.db.open || built.stamp.epoch !== readVectorStamp(this.ctx.db).epoch) return;
      const fresh = AnnIndex.open(built.file, dims, built.stamp);
      if (!memory) {
        AnnIndex.publish(this.ctx.path, built.file, {
          ...built.stamp,
          dimensions: dims,
          size: built.size,
          rows: built.rows,
        });
        fresh.savedGeneration = built.stamp.generation;
      }
      if (!this.ann || this.ann.stamp.generation < fresh.stamp.generation) this.ann = fresh;
      // A seeded job loaded the saved index and caught it up; only a from-scratch one is a build.
      this.last = { source: built.seeded ? "loaded" : "built", ms: performance.now() - start };
      if (built.seeded) this.counts.loads++;
      else this.counts.builds++;
      if (built.caughtUp > 0) {
        this.counts.catchUps++;
        this.counts.caughtUpVectors += built.caughtUp;
      }
    } catch {
      this.failed = built.stamp;
    } finally {
      if (memory || !this.ctx.db.open) rmSync(built.file, { force: true });
    }
  }

  /** Resolves once no background build is running (tests, benchmarks, a graceful shutdown). */
  async settled(): Promise<void> {
    while (this.build) await this.build.done;
  }

  private vectorRows(): number {
    return (this.ctx.stmt("SELECT count(*) AS n FROM vec_items_rowids").get() as { n: number }).n;
  }

  /** Saving is only a cache write: a failure costs a rebuild at the next open, never data. */
  private trySave(ann: AnnIndex, rows: number): void {
    try {
      ann.save(this.ctx.path, rows);
    } catch {
      // Already a StorageError with a hint; searching goes on from memory.
    }
  }

  /** At close: save the caught-up index unless saved; stop a build (awaited after the db closes). */
  close(): Promise<void> {
    const stopped = this.build?.job.cancel() ?? Promise.resolve();
    this.applyUnapplied();
    const { ann, ctx } = this;
    if (!ann || ctx.path === ":memory:" || this.pending.length > 0 || ctx.db.inTransaction) return stopped;
    // Writers may have gone on since the last search: catch up first, so the saved index is current.
    const current = ctx.read(() => {
      const stamp = readVectorStamp(ctx.db);
      return stamp.epoch === ann.stamp.epoch && this.catchUp(ann, stamp) ? this.vectorRows() : undefined;
    });
    if (current !== undefined && ann.savedGeneration !== ann.stamp.generation) this.trySave(ann, current);
    return stopped;
  }

  /** The approximate index's state (see {@link AnnStatus}). */
  status(): AnnStatus {
    this.applyUnapplied();
    return {
      threshold: this.threshold,
      size: this.ann?.size,
      generation: this.ann?.stamp.generation,
      last: this.last,
      ...this.counts,
      building: this.build !== undefined,
    };
  }
}
