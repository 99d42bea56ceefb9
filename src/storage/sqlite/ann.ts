import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import usearch from "usearch";
import { StorageError } from "../../core/errors/index.js";
import { isZeroVector } from "./vectors.js";

/**
 * Approximate nearest-neighbour index (usearch HNSW) over a cube's vectors, keyed by the item's
 * integer rowid. It is a derived cache of the vec0 table, never the source of truth:
 *
 * - every committed vector write bumps `meta.vec_generation` in the same transaction;
 * - an index is trusted only when the generation it was built at (and the cube's random
 *   `ann_epoch`, so a recreated file never matches an old index) equals the file's;
 * - otherwise it is loaded from `<db>.usearch` when that file's sidecar matches, or rebuilt from
 *   vec0. A crash between a commit and an index save therefore costs a rebuild, not a wrong answer.
 *
 * The distances it returns are exact cosine distances of the stored vectors; only the choice of
 * candidates is approximate.
 */

/** HNSW links per node: usearch's default; 16 keeps recall@10 near 0.99 at 100k x 100-d. */
const CONNECTIVITY = 16;
/** Candidate-list width while inserting; wider builds a better graph, slower. */
const EXPANSION_ADD = 128;
/** Candidate-list width while searching (usearch widens it to the number of results asked). */
const EXPANSION_SEARCH = 256;
/** Vectors per `add` call during a rebuild: bounds the temporary copy. */
const BUILD_BATCH = 8192;
const SIDECAR_FORMAT = 1;

/** What `<db>.usearch.json` records about `<db>.usearch`. */
interface Sidecar {
  format: number;
  epoch: string;
  generation: number;
  dimensions: number;
  /** Vectors in the index (zero vectors are never indexed). */
  size: number;
  /** Rows of vec0 at that generation, a second check against the cube. */
  rows: number;
}

/** Where an index is kept on disk, beside the cube file. */
export function annPaths(dbPath: string): { index: string; sidecar: string } {
  return { index: `${dbPath}.usearch`, sidecar: `${dbPath}.usearch.json` };
}

/** Which cube state an index reflects. */
export interface AnnStamp {
  epoch: string;
  generation: number;
}

export class AnnIndex {
  private readonly index: InstanceType<typeof usearch.Index>;
  /** The cube state this index holds; advanced by the engine as it applies committed writes. */
  stamp: AnnStamp;
  /** Generation last written to disk (undefined: never), so close() saves only when needed. */
  savedGeneration: number | undefined;

  private constructor(
    readonly dimensions: number,
    stamp: AnnStamp,
  ) {
    this.stamp = stamp;
    this.index = new usearch.Index({
      dimensions,
      metric: usearch.MetricKind.Cos,
      quantization: usearch.ScalarKind.F32,
      connectivity: CONNECTIVITY,
      expansion_add: EXPANSION_ADD,
      expansion_search: EXPANSION_SEARCH,
      multi: false,
    });
  }

  /** An empty index for `dimensions`-d vectors, stamped with the cube state it will be filled from. */
  static create(dimensions: number, stamp: AnnStamp): AnnIndex {
    return new AnnIndex(dimensions, stamp);
  }

  /**
   * Build from vec0 rows (rowid, float32 blob). Zero vectors are skipped: cosine has no
   * direction for them and the exact search never returns them either.
   */
  static build(
    dimensions: number,
    stamp: AnnStamp,
    rows: Iterable<{ rid: number | bigint; embedding: Buffer }>,
  ): AnnIndex {
    const ann = new AnnIndex(dimensions, stamp);
    const keys = new BigUint64Array(BUILD_BATCH);
    const flat = new Float32Array(BUILD_BATCH * dimensions);
    const bytes = new Uint8Array(flat.buffer);
    let n = 0;
    const flush = () => {
      if (n > 0) ann.index.add(keys.subarray(0, n), flat.subarray(0, n * dimensions), 0);
      n = 0;
    };
    for (const row of rows) {
      if (row.embedding.byteLength !== dimensions * 4) continue;
      bytes.set(row.embedding, n * dimensions * 4);
      if (isZeroVector(flat.subarray(n * dimensions, (n + 1) * dimensions))) continue;
      keys[n] = BigInt(row.rid);
      n++;
      if (n === BUILD_BATCH) flush();
    }
    flush();
    return ann;
  }

  /**
   * Load `<db>.usearch` when its sidecar says it holds exactly `stamp` with `rows` vec0 rows;
   * undefined (rebuild instead) when it is missing, stale or unreadable.
   */
  static load(dbPath: string, dimensions: number, stamp: AnnStamp, rows: number): AnnIndex | undefined {
    const paths = annPaths(dbPath);
    if (!existsSync(paths.sidecar) || !existsSync(paths.index)) return undefined;
    try {
      const meta = JSON.parse(readFileSync(paths.sidecar, "utf8")) as Partial<Sidecar>;
      if (
        meta.format !== SIDECAR_FORMAT ||
        meta.epoch !== stamp.epoch ||
        meta.generation !== stamp.generation ||
        meta.dimensions !== dimensions ||
        meta.rows !== rows
      ) {
        return undefined;
      }
      const ann = new AnnIndex(dimensions, stamp);
      ann.index.load(paths.index);
      if (ann.index.size() !== meta.size || ann.index.dimensions() !== dimensions) return undefined;
      ann.savedGeneration = stamp.generation;
      return ann;
    } catch {
      // A torn or foreign file is only a cache miss.
      return undefined;
    }
  }

  get size(): number {
    return this.index.size();
  }

  /**
   * Insert or replace many vectors in one multi-threaded `add` (a commit of a large batch would
   * otherwise insert one by one on one thread). Later entries for the same rid win.
   */
  upsertMany(entries: { rid: number; vector: Float32Array }[]): void {
    const last = new Map<number, Float32Array>();
    for (const e of entries) last.set(e.rid, e.vector);
    const keep: [number, Float32Array][] = [];
    for (const [rid, vector] of last) {
      this.remove(rid);
      if (!isZeroVector(vector)) keep.push([rid, vector]);
    }
    if (keep.length === 0) return;
    const keys = BigUint64Array.from(keep, ([rid]) => BigInt(rid));
    const flat = new Float32Array(keep.length * this.dimensions);
    keep.forEach(([, v], i) => {
      flat.set(v, i * this.dimensions);
    });
    this.index.add(keys, flat, keep.length > 64 ? 0 : 1);
  }

  remove(rid: number): void {
    const key = BigInt(rid);
    if (this.index.contains(key)) this.index.remove(key);
  }

  /**
   * Up to `count` rows near `query`, nearest first. Which rows is approximate (the graph may miss
   * a true neighbour); each distance is exact: usearch computes the cosine distance from the
   * stored float32 vector, the same quantity sqlite-vec reports (they may differ in the last
   * float bits only).
   */
  search(query: Float32Array, count: number): { rid: number; distance: number }[] {
    if (this.index.size() === 0 || count <= 0) return [];
    // One thread: a query is a few hundred distance computations; a pool only adds latency.
    const found = this.index.search(query, count, 1);
    return Array.from(found.keys, (k, i) => ({ rid: Number(k), distance: found.distances[i] as number }));
  }

  /**
   * Write the index and then its sidecar, each via a temp file and rename. The old sidecar is
   * removed first, so a crash part-way leaves no sidecar (a rebuild), never a sidecar describing
   * another index.
   */
  save(dbPath: string, rows: number): void {
    const paths = annPaths(dbPath);
    const sidecar: Sidecar = {
      format: SIDECAR_FORMAT,
      epoch: this.stamp.epoch,
      generation: this.stamp.generation,
      dimensions: this.dimensions,
      size: this.index.size(),
      rows,
    };
    try {
      rmSync(paths.sidecar, { force: true });
      this.index.save(`${paths.index}.tmp`);
      renameSync(`${paths.index}.tmp`, paths.index);
      writeFileSync(`${paths.sidecar}.tmp`, JSON.stringify(sidecar));
      renameSync(`${paths.sidecar}.tmp`, paths.sidecar);
      this.savedGeneration = this.stamp.generation;
    } catch (cause) {
      throw new StorageError({
        message: `cannot write the vector index beside ${dbPath}`,
        hint: "check free space and permissions of the cube's directory; the cube itself is intact and the index is rebuilt when needed",
        cause,
      });
    }
  }
}
