import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import usearch from "usearch";
import { StorageError } from "../../core/errors/index.js";
import { isZeroVector } from "./vectors.js";

/**
 * Approximate nearest-neighbour index (usearch HNSW) over a cube's vectors, keyed by the item's
 * integer rowid. It is a derived cache of the vec0 table, never the source of truth:
 *
 * - every committed vector write bumps `meta.vec_generation` in the same transaction and logs the
 *   rowids it changed (vector-log.ts);
 * - an index records the generation it reflects (and the cube's random `ann_epoch`, so a
 *   recreated file never matches an old index); one behind the cube catches up from the log;
 * - on disk it is `<db>.usearch.g<generation>`, named by `<db>.usearch.json` (the sidecar). A
 *   crash between a commit and an index save therefore costs a catch-up (or a rebuild), never a
 *   wrong answer.
 *
 * The distances it returns are exact cosine distances of the stored vectors; only the choice of
 * candidates is approximate.
 */

/** The HNSW parameters, shared with the background builder (ann-builder.ts). */
export const HNSW = {
  /** Links per node: usearch's default; 16 keeps recall@10 near 0.99 at 100k x 100-d. */
  connectivity: 16,
  /** Candidate-list width while inserting; wider builds a better graph, slower. */
  expansionAdd: 128,
  /** Candidate-list width while searching (usearch widens it to the number of results asked). */
  expansionSearch: 256,
  /** Vectors per `add` call during a build: bounds the temporary copy. */
  batch: 8192,
} as const;
const SIDECAR_FORMAT = 2;

/** What `<db>.usearch.json` records about the saved index. */
interface Sidecar {
  format: number;
  epoch: string;
  generation: number;
  dimensions: number;
  /** Vectors in the index (zero vectors are never indexed). */
  size: number;
  /** Rows of vec0 at that generation, a second check when the cube is still there. */
  rows: number;
  /** The index file's name, in the cube's directory. */
  file: string;
}

/** Where an index is kept on disk, beside the cube file: the sidecar, and the file per generation. */
export function annPaths(dbPath: string): { sidecar: string; index: (generation: number) => string } {
  return { sidecar: `${dbPath}.usearch.json`, index: (generation) => `${dbPath}.usearch.g${generation}` };
}

/** A temp name no other process or build uses. */
export function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** What a sidecar says about a saved index: its file (full path), state, size and vec0 rows then. */
export interface SavedIndex {
  file: string;
  stamp: AnnStamp;
  size: number;
  rows: number;
}

/** Which cube state an index reflects. */
export interface AnnStamp {
  epoch: string;
  generation: number;
}

function newUsearchIndex(dimensions: number): InstanceType<typeof usearch.Index> {
  return new usearch.Index({
    dimensions,
    metric: usearch.MetricKind.Cos,
    quantization: usearch.ScalarKind.F32,
    connectivity: HNSW.connectivity,
    expansion_add: HNSW.expansionAdd,
    expansion_search: HNSW.expansionSearch,
    multi: false,
  });
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
    this.index = newUsearchIndex(dimensions);
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
    const keys = new BigUint64Array(HNSW.batch);
    const flat = new Float32Array(HNSW.batch * dimensions);
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
      if (n === HNSW.batch) flush();
    }
    flush();
    return ann;
  }

  /**
   * The saved index, when its sidecar names this cube (`epoch`) at a generation in `[from, to]`
   * (one the change log can bring up to date); undefined when there is none, or it is torn,
   * foreign or out of range. Reads only the sidecar.
   */
  static findSaved(
    dbPath: string,
    dimensions: number,
    epoch: string,
    range: { from: number; to: number },
  ): SavedIndex | undefined {
    try {
      const meta = JSON.parse(readFileSync(annPaths(dbPath).sidecar, "utf8")) as Partial<Sidecar>;
      const { generation, file, size, rows } = meta;
      if (
        meta.format !== SIDECAR_FORMAT ||
        meta.epoch !== epoch ||
        typeof generation !== "number" ||
        generation < range.from ||
        generation > range.to ||
        meta.dimensions !== dimensions ||
        typeof file !== "string" ||
        basename(file) !== file ||
        typeof size !== "number" ||
        typeof rows !== "number"
      ) {
        return undefined;
      }
      return { file: join(dirname(dbPath), file), stamp: { epoch, generation }, size, rows };
    } catch {
      return undefined; // no sidecar, or a torn one: a cache miss
    }
  }

  /** Load a saved index found by {@link findSaved}; undefined when the file does not match it. */
  static load(saved: SavedIndex, dimensions: number): AnnIndex | undefined {
    try {
      const ann = AnnIndex.open(saved.file, dimensions, saved.stamp);
      if (ann.size !== saved.size) return undefined;
      ann.savedGeneration = saved.stamp.generation;
      return ann;
    } catch {
      // A file replaced or removed by another process meanwhile is only a cache miss.
      return undefined;
    }
  }

  /** Load an index file written by usearch (a saved one, or a background build's output). */
  static open(file: string, dimensions: number, stamp: AnnStamp): AnnIndex {
    const ann = new AnnIndex(dimensions, stamp);
    ann.index.load(file);
    if (ann.index.dimensions() !== dimensions) {
      throw new StorageError({
        message: `the vector index ${file} has ${ann.index.dimensions()} dimensions, not ${dimensions}`,
        hint: "delete it; it is rebuilt from the cube",
      });
    }
    return ann;
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
   * Write the index as `<db>.usearch.g<generation>` (via a temp file and rename), then point the
   * sidecar at it (same way), then drop the file the old sidecar named. Readers therefore always
   * find a sidecar naming a complete file, whichever of several processes saved last.
   */
  save(dbPath: string, rows: number): void {
    const target = annPaths(dbPath).index(this.stamp.generation);
    const temp = tempName(target);
    try {
      this.index.save(temp);
      AnnIndex.publish(dbPath, temp, { ...this.stamp, dimensions: this.dimensions, size: this.size, rows });
      this.savedGeneration = this.stamp.generation;
    } catch (cause) {
      rmSync(temp, { force: true });
      throw new StorageError({
        message: `cannot write the vector index beside ${dbPath}`,
        hint: "check free space and permissions of the cube's directory; the cube itself is intact and the index is rebuilt when needed",
        cause,
      });
    }
  }

  /** Move a written index file (`temp`) into place and make the sidecar name it. */
  static publish(dbPath: string, temp: string, meta: Omit<Sidecar, "format" | "file">): void {
    const paths = annPaths(dbPath);
    const target = paths.index(meta.generation);
    let previous: string | undefined;
    try {
      previous = (JSON.parse(readFileSync(paths.sidecar, "utf8")) as Partial<Sidecar>).file;
    } catch {
      previous = undefined;
    }
    renameSync(temp, target);
    const sidecar: Sidecar = { format: SIDECAR_FORMAT, ...meta, file: basename(target) };
    const sidecarTemp = tempName(paths.sidecar);
    writeFileSync(sidecarTemp, JSON.stringify(sidecar));
    renameSync(sidecarTemp, paths.sidecar);
    if (typeof previous === "string" && previous !== sidecar.file && basename(previous) === previous) {
      rmSync(join(dirname(dbPath), previous), { force: true });
    }
    // The single `<db>.usearch` file of sidecar format 1 (before the change log) is never read again.
    rmSync(`${dbPath}.usearch`, { force: true });
  }
}
