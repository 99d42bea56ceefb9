import { AnnIndex } from "./ann.js";
import type { SqliteContext } from "./context.js";
import { readVectorStamp, type VectorStamp } from "./schema.js";

/** Default annThreshold: below it sqlite-vec's exact scan takes a few ms. */
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

/** A vector change the in-memory index must follow once it commits; "bump" marks one generation step. */
export type VectorOp =
  | { op: "upsert"; rid: number; vector: Float32Array }
  | { op: "remove"; rid: number }
  | { op: "reset" }
  | { op: "bump" };

/**
 * The HNSW index's life beside the cube (ann.ts holds the index itself): when to use one, loading
 * or building it, following committed vector changes, and saving it at close. It also keeps the
 * ledger of vector changes that the engine's transactions commit or roll back.
 */
export class AnnCache {
  /** The HNSW cache of the vectors, when the cube is big enough to want one. */
  private ann: AnnIndex | undefined;
  private last: AnnStatus["last"];
  private failed: VectorStamp | undefined;
  /** Vector changes of the open transaction, applied to `ann` once it commits. */
  private pending: VectorOp[] = [];
  /** Counts vector changes, so a write knows whether to bump the generation. */
  private changes = 0;

  constructor(
    private readonly ctx: SqliteContext,
    readonly threshold: number,
  ) {}

  /** Note a vector change for the generation counter and, when an index is held, for it. */
  changed(op: Exclude<VectorOp, { op: "bump" }>): void {
    this.changes++;
    if (this.ann) this.pending.push(op);
  }

  /** Vector changes so far; a write compares it before and after. */
  get changeCount(): number {
    return this.changes;
  }

  /** The write that just ran bumped the stored generation one step. */
  bumped(): void {
    this.pending.push({ op: "bump" });
  }

  /** Pending changes: a transaction or savepoint notes it, to undo back to it on rollback. */
  get pendingLength(): number {
    return this.pending.length;
  }

  /** Forget the changes after `mark`: their savepoint (or the whole transaction) rolled back. */
  truncatePending(mark: number): void {
    if (mark < this.pending.length) this.pending.length = mark;
  }

  /**
   * After a commit, replay its vector changes on the in-memory index. They apply only when the
   * committed generation is exactly the index's plus this transaction's steps; anything else
   * means another connection wrote in between, and the index is dropped (reloaded or rebuilt on
   * the next search) rather than patched into something vec0 does not hold.
   */
  committed(): void {
    const ops = this.pending;
    this.pending = [];
    const ann = this.ann;
    if (!ann) return;
    const steps = ops.filter((o) => o.op === "bump").length;
    if (steps === 0) return;
    const stamp = readVectorStamp(this.ctx.db);
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
   * The HNSW index to search, or undefined when exact search must (or may as well) run: the
   * cube is small, the option is off, or this transaction has uncommitted vector changes (vec0
   * is then ahead of any index, and an index built from uncommitted rows could outlive a
   * rollback under a generation that later means something else). A stale index is replaced by
   * the saved file when that matches, else rebuilt from vec0, here, synchronously.
   */
  index(): AnnIndex | undefined {
    const dims = this.ctx.dims;
    // `pending` holds at least a "bump" for every uncommitted vector change.
    if (!Number.isFinite(this.threshold) || dims === undefined || this.pending.length > 0) return undefined;
    const stamp = readVectorStamp(this.ctx.db);
    const ann = this.ann;
    if (ann && ann.stamp.epoch === stamp.epoch && ann.stamp.generation === stamp.generation) {
      return ann.size > this.threshold ? ann : undefined;
    }
    this.ann = undefined;
    const rows = this.vectorRows();
    if (rows <= this.threshold) return undefined;
    // A build that failed (usearch error, memory) is not retried until the vectors change.
    if (this.failed?.epoch === stamp.epoch && this.failed.generation === stamp.generation) return undefined;
    try {
      const fresh = this.loadOrBuild(dims, stamp, rows);
      this.ann = fresh;
      return fresh.size > this.threshold ? fresh : undefined;
    } catch {
      // The index is only a cache: exact search still answers, just slower.
      this.failed = stamp;
      return undefined;
    }
  }

  private loadOrBuild(dims: number, stamp: VectorStamp, rows: number): AnnIndex {
    const { ctx } = this;
    const start = performance.now();
    const memory = ctx.path === ":memory:";
    let fresh = memory ? undefined : AnnIndex.load(ctx.path, dims, stamp, rows);
    if (fresh) {
      this.last = { source: "loaded", ms: performance.now() - start };
      return fresh;
    }
    fresh = ctx.read(() =>
      AnnIndex.build(
        dims,
        readVectorStamp(ctx.db),
        ctx.stmt("SELECT rowid AS rid, embedding FROM vec_items").iterate() as Iterable<{
          rid: number;
          embedding: Buffer;
        }>,
      ),
    );
    this.last = { source: "built", ms: performance.now() - start };
    if (!memory && !ctx.db.inTransaction) this.trySave(fresh, rows);
    return fresh;
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

  /** At close: keep the in-memory index for the next open when it is current and unsaved. */
  saveOnClose(): void {
    const { ann, ctx } = this;
    if (!ann || ctx.path === ":memory:" || this.pending.length > 0 || ctx.db.inTransaction) return;
    if (ann.savedGeneration === ann.stamp.generation) return;
    const stamp = readVectorStamp(ctx.db);
    if (stamp.epoch !== ann.stamp.epoch || stamp.generation !== ann.stamp.generation) return;
    this.trySave(ann, this.vectorRows());
  }

  /** The approximate index's state (see {@link AnnStatus}). */
  status(): AnnStatus {
    return {
      threshold: this.threshold,
      size: this.ann?.size,
      generation: this.ann?.stamp.generation,
      last: this.last,
    };
  }
}
