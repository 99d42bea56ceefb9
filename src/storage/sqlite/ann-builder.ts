import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { StorageError } from "../../core/errors/index.js";
import { type AnnStamp, HNSW, type SavedIndex, tempName } from "./ann.js";
import type { SqliteContext } from "./context.js";
import type { VectorStamp } from "./schema.js";

/**
 * Builds an HNSW index on a worker thread, so a full build (tens of seconds at 100k vectors)
 * never holds up the connection's searches: they run exact meanwhile. The worker reads the
 * vectors itself from the cube file (its own connection, one snapshot), builds, then catches up
 * with what other writers committed during the build (vector-log.ts), and writes the index to a
 * file the caller loads. An in-memory cube has no file to read: its vectors are handed over.
 *
 * The worker is plain JavaScript evaluated from a string: it has to run the same way under tsx,
 * vitest and the compiled package, and it needs nothing of ours beyond the HNSW parameters.
 */
const WORKER_SOURCE = `
const { parentPort, workerData: w } = require("node:worker_threads");
const usearch = require(w.modules.usearch);
const D = w.dimensions;
const makeIndex = () => new usearch.Index({
  dimensions: D, metric: usearch.MetricKind.Cos, quantization: usearch.ScalarKind.F32,
  connectivity: w.hnsw.connectivity, expansion_add: w.hnsw.expansionAdd,
  expansion_search: w.hnsw.expansionSearch, multi: false,
});
let index = makeIndex();
const keys = new BigUint64Array(w.hnsw.batch);
const flat = new Float32Array(w.hnsw.batch * D);
const bytes = new Uint8Array(flat.buffer);
let n = 0;
const flush = () => { if (n > 0) index.add(keys.subarray(0, n), flat.subarray(0, n * D), 0); n = 0; };
// Zero vectors have no direction under cosine: never indexed (exact search skips them too).
const put = (rid, blob) => {
  if (blob.byteLength !== D * 4) return;
  bytes.set(blob, n * D * 4);
  let zero = true;
  for (let i = n * D; i < (n + 1) * D && zero; i++) zero = flat[i] === 0;
  if (zero) return;
  keys[n] = BigInt(rid);
  n++;
  if (n === w.hnsw.batch) flush();
};
let stamp;
let rows = 0;
let seeded = false;
let caughtUp = 0;
if (w.source.path) {
  const Database = require(w.modules.sqlite);
  const db = new Database(w.source.path, { fileMustExist: true });
  require(w.modules.vec).load(db);
  db.pragma("busy_timeout = 5000");
  const readStamp = () => {
    const m = Object.fromEntries(db.prepare(
      "SELECT key, value FROM meta WHERE key IN ('ann_epoch', 'vec_generation', 'vec_log_floor')").all()
      .map((r) => [r.key, r.value]));
    return { epoch: m.ann_epoch ?? "", generation: Number(m.vec_generation ?? 0), floor: Number(m.vec_log_floor ?? 0) };
  };
  const count = () => db.prepare("SELECT count(*) AS n FROM vec_items_rowids").get().n;
  db.exec("BEGIN");
  stamp = readStamp();
  // A saved index the log still covers is loaded and caught up rather than rebuilt.
  const seed = w.source.seed;
  if (seed && seed.stamp.epoch === stamp.epoch && seed.stamp.generation >= stamp.floor) {
    try {
      index.load(seed.file);
      seeded = index.size() === seed.size;
    } catch {
      seeded = false;
    }
    if (!seeded) index = makeIndex();
  }
  if (seeded) {
    stamp = { epoch: seed.stamp.epoch, generation: seed.stamp.generation };
    rows = seed.rows;
  } else {
    for (const r of db.prepare("SELECT rowid AS rid, embedding FROM vec_items").iterate()) put(r.rid, r.embedding);
    rows = count();
  }
  db.exec("COMMIT");
  flush();
  // Writers went on during the build: apply what they changed, from the log, a few rounds.
  for (let round = 0; round < w.catchUpRounds; round++) {
    db.exec("BEGIN");
    const now = readStamp();
    if (now.epoch !== stamp.epoch || now.generation === stamp.generation || stamp.generation < now.floor) {
      db.exec("COMMIT");
      break;
    }
    const rids = db.prepare("SELECT DISTINCT rid FROM vec_log WHERE gen > ?").all(stamp.generation).map((r) => r.rid);
    const found = new Map(db.prepare(
      "SELECT j.value AS rid, v.embedding FROM json_each(?) AS j CROSS JOIN vec_items v ON v.rowid = j.value")
      .all(JSON.stringify(rids)).map((r) => [r.rid, r.embedding]));
    for (const rid of rids) {
      if (index.contains(BigInt(rid))) index.remove(BigInt(rid));
      const blob = found.get(rid);
      if (blob) put(rid, blob);
    }
    flush();
    rows = count();
    db.exec("COMMIT");
    caughtUp += rids.length;
    stamp = { epoch: now.epoch, generation: now.generation };
    if (rids.length < w.catchUpEnough) break;
  }
  db.close();
} else {
  const src = w.source;
  const all = new Uint8Array(src.flat.buffer, src.flat.byteOffset, src.flat.byteLength);
  for (let i = 0; i < src.keys.length; i++) put(src.keys[i], all.subarray(i * D * 4, (i + 1) * D * 4));
  flush();
  stamp = { epoch: src.epoch, generation: src.generation };
  rows = src.keys.length;
}
index.save(w.out);
parentPort.postMessage({ stamp: { epoch: stamp.epoch, generation: stamp.generation }, size: index.size(), rows, seeded, caughtUp });
`;

/** Rounds of catching up with other writers after the build, before handing the index over. */
const CATCH_UP_ROUNDS = 8;
/** A round that found fewer changed vectors than this ends the catching up. */
const CATCH_UP_ENOUGH = 64;

const requireFrom = createRequire(import.meta.url);

/** What a background build produced: an index file at `stamp`, with vec0's row count then. */
export interface BuiltIndex {
  file: string;
  stamp: AnnStamp;
  size: number;
  rows: number;
  /** Started from the saved index (loaded, then caught up) instead of building from scratch. */
  seeded: boolean;
  /** Vectors applied from the change log after the build or load. */
  caughtUp: number;
}

/** Where the vectors come from: the cube file, or (in-memory cube) the vectors themselves. */
export type BuildSource =
  | { path: string; seed?: SavedIndex }
  | { keys: BigUint64Array; flat: Float32Array; epoch: string; generation: number };

/** A file cube is read by the worker itself; an in-memory one hands its vectors over. */
export function buildSource(ctx: SqliteContext, dims: number, stamp: VectorStamp): BuildSource {
  if (ctx.path !== ":memory:") return { path: ctx.path };
  const rows = ctx.stmt("SELECT rowid AS rid, embedding FROM vec_items").all() as {
    rid: number;
    embedding: Buffer;
  }[];
  const keys = new BigUint64Array(rows.length);
  const flat = new Float32Array(rows.length * dims);
  const bytes = new Uint8Array(flat.buffer);
  rows.forEach((r, i) => {
    keys[i] = BigInt(r.rid);
    if (r.embedding.byteLength === dims * 4) bytes.set(r.embedding, i * dims * 4);
  });
  return { keys, flat, ...stamp };
}

/** A build in flight: its result, and a way to stop it (the store closed). */
export interface BackgroundBuild {
  readonly result: Promise<BuiltIndex>;
  /** Stop the worker; resolves once it has exited and its partial file is gone. */
  cancel(): Promise<void>;
}

/** Start building on a worker thread; the index file goes beside the cube (or to the temp dir). */
export function buildInBackground(dimensions: number, source: BuildSource): BackgroundBuild {
  const out = tempName(
    "path" in source ? `${source.path}.usearch.build` : join(tmpdir(), "memos-ann.usearch"),
  );
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      modules: {
        usearch: requireFrom.resolve("usearch"),
        sqlite: requireFrom.resolve("better-sqlite3"),
        vec: requireFrom.resolve("sqlite-vec"),
      },
      hnsw: HNSW,
      dimensions,
      source,
      out,
      catchUpRounds: CATCH_UP_ROUNDS,
      catchUpEnough: CATCH_UP_ENOUGH,
    },
    transferList:
      "flat" in source ? [source.flat.buffer as ArrayBuffer, source.keys.buffer as ArrayBuffer] : [],
  });
  // A build must never keep a process alive (a CLI command, a test run) once the rest is done.
  worker.unref();
  let settled = false;
  let fail: (error: StorageError) => void = () => {};
  const result = new Promise<BuiltIndex>((resolve, reject) => {
    fail = (error) => {
      if (settled) return;
      settled = true;
      rmSync(out, { force: true });
      reject(error);
    };
    worker.once("message", (m: Omit<BuiltIndex, "file">) => {
      settled = true;
      resolve({ ...m, file: out });
    });
    worker.once("error", (cause) =>
      fail(
        new StorageError({
          message: "building the vector index failed",
          hint: "search stays exact meanwhile; check free memory and the cube's directory",
          cause,
        }),
      ),
    );
    worker.once("exit", (code) =>
      fail(new StorageError({ message: `the vector index builder stopped (exit ${code})` })),
    );
  });
  return {
    result,
    async cancel() {
      fail(new StorageError({ message: "the vector index build was cancelled: the store closed" }));
      worker.ref(); // awaited at close: keep the process up until it has stopped
      await worker.terminate().catch(() => {});
      rmSync(out, { force: true });
    },
  };
}
