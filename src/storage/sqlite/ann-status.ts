/** The shapes the HNSW cache (ann-cache.ts) reports and records. */

/** What the approximate vector index is doing, for benchmarks, tests and `memos doctor`. */
export interface AnnStatus {
  threshold: number;
  /** Vectors in the in-memory index, when one is held. */
  size: number | undefined;
  generation: number | undefined;
  /** How the index was last obtained, and how long that took. */
  last: { source: "built" | "loaded"; ms: number } | undefined;
  /** Full builds (inline or in the background) since the store opened. */
  builds: number;
  /** Saved indexes loaded from disk. */
  loads: number;
  /** Times the index caught up with committed writes from the change log (another connection's). */
  catchUps: number;
  /** Vectors those catch-ups re-read and applied. */
  caughtUpVectors: number;
  /** A background build is running; vector search is exact until it lands. */
  building: boolean;
}

/** A vector change the in-memory index must follow once it commits; "bump" marks one generation step. */
export type VectorOp =
  | { op: "upsert"; rid: number; vector: Float32Array }
  | { op: "remove"; rid: number }
  | { op: "reset" }
  | { op: "bump" };
