/**
 * Search latency on one embedded cube shared by a "server" and two "worker" processes (a
 * measurement, not a test).
 *
 *   npx tsx bench/multi-process-search.ts [--n 100000] [--dim 100] [--queries 200] [--rounds 30]
 *     [--batch 5] [--stream-s 10] [--cube path.db] [--warm] [--ann-threshold N] [--json]
 *
 * This process is the server; it forks two worker processes that write the same SQLite file. The
 * cube (N memories, toy hashed bag-of-words vectors of GloVe's 100 dimensions) is built once and
 * reused (`--cube`, default in the temp dir); the saved HNSW index is removed first unless
 * `--warm`, so the cold start is measured too. Phases:
 *
 * 1. cold start: the first searches run exact while the index builds in the background; the
 *    build's duration is what the first search after another process's write used to wait for
 *    (the old behaviour rebuilt the whole index inline);
 * 2. steady state: searches with no writes (p50/p95);
 * 3. after a write: a worker commits `--batch` memories, then the server searches at once (that
 *    search catches the index up from the change log);
 * 4. concurrent: both workers write one memory every 100 ms while the server searches for
 *    `--stream-s` seconds.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { mulberry32 } from "../src/core/math/random.js";
import { TextualMemoryItem } from "../src/core/schema/memory.js";
import { createSqliteMemoryStore, type SqliteMemoryStore } from "../src/storage/sqlite/index.js";
import { percentile } from "./lib/metrics.js";
import { createToyEmbedder } from "./lib/toy-embedder.js";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "10000" },
    dim: { type: "string", default: "100" },
    queries: { type: "string", default: "200" },
    rounds: { type: "string", default: "30" },
    batch: { type: "string", default: "5" },
    "stream-s": { type: "string", default: "10" },
    cube: { type: "string" },
    warm: { type: "boolean", default: false },
    "ann-threshold": { type: "string" },
    json: { type: "boolean", default: false },
    role: { type: "string", default: "server" },
  },
});
const N = Number(values.n);
const DIM = Number(values.dim);
const embedder = createToyEmbedder(DIM);
const log = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);

// Zipf-skewed words, so texts share common words as real ones do and queries find neighbours.
const VOCAB = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
function textMaker(seed: number) {
  const rand = mulberry32(seed);
  return () =>
    Array.from(
      { length: 8 + Math.floor(rand() * 16) },
      () => VOCAB[Math.floor(VOCAB.length * rand() ** 3)],
    ).join(" ");
}

async function memories(ids: string[], text: () => string) {
  const texts = ids.map(() => text());
  const vectors = await embedder.doEmbed(texts);
  return ids.map((id, i) => ({
    item: TextualMemoryItem.parse({ id, memory: texts[i] as string, metadata: { user_id: "bench" } }),
    embedding: vectors[i] as Float32Array,
  }));
}

// ------------------------------------------------------------------------------------ worker
async function worker(path: string, index: number): Promise<void> {
  const store = await createSqliteMemoryStore({ path, annThreshold: Number.POSITIVE_INFINITY });
  const text = textMaker(1000 + index);
  const tag = `w${index}-${process.pid}`;
  let n = 0;
  const nextIds = (k: number) => Array.from({ length: k }, () => `${tag}-${n++}`);
  const send = (m: unknown) => process.send?.(m);
  process.on(
    "message",
    async (m: { type: string; count?: number; intervalMs?: number; durationMs?: number }) => {
      if (m.type === "write") {
        const t = performance.now();
        await store.addItems(await memories(nextIds(m.count ?? 1), text));
        send({ type: "wrote", ms: performance.now() - t });
      } else if (m.type === "stream") {
        const errors: string[] = [];
        let writes = 0;
        const end = performance.now() + (m.durationMs ?? 0);
        while (performance.now() < end) {
          try {
            await store.addItems(await memories(nextIds(1), text));
            writes++;
          } catch (error) {
            errors.push(String(error));
          }
          await sleep(m.intervalMs ?? 100);
        }
        send({ type: "streamed", writes, errors, lockStats: store.lockStats() });
      } else if (m.type === "exit") {
        await store.close();
        process.exit(0);
      }
    },
  );
  send({ type: "ready" });
}

// ------------------------------------------------------------------------------------ server
function summary(samples: number[]) {
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    n: samples.length,
    p50: r(percentile(samples, 50)),
    p95: r(percentile(samples, 95)),
    max: r(Math.max(...samples)),
  };
}

function spawnWorker(path: string, index: number): Promise<ChildProcess> {
  const child = fork(
    fileURLToPath(import.meta.url),
    ["--role", "worker", "--cube", path, "--n", String(index)],
    {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`worker ${index} exited (${code}) before it was ready`)));
  });
}

function request<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (m) => resolve(m as T));
    child.send(message as object);
  });
}

async function ensureCube(path: string): Promise<void> {
  const store = await createSqliteMemoryStore({
    path,
    annThreshold: Number.POSITIVE_INFINITY,
    dimensions: DIM,
  });
  const have = await store.count();
  if (have < N) {
    log(`building the cube: ${N - have} memories to add to ${path}`);
    const text = textMaker(1);
    const t = performance.now();
    for (let start = have; start < N; start += 1000) {
      const ids = Array.from({ length: Math.min(1000, N - start) }, (_, i) => `m${start + i}`);
      await store.addItems(await memories(ids, text));
      if ((start / 1000) % 10 === 0) log(`  ${start} / ${N}`);
    }
    log(`  filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  await store.close();
}

async function server(): Promise<void> {
  const path = values.cube ?? join(tmpdir(), "memos-bench", `multi-process-${N}x${DIM}.db`);
  mkdirSync(dirname(path), { recursive: true });
  await ensureCube(path);
  if (!values.warm) {
    for (const f of readdirSync(dirname(path))) {
      if (f.startsWith(`${basename(path)}.usearch`)) rmSync(join(dirname(path), f), { force: true });
    }
  }
  const queryText = textMaker(99);
  // Every search asks a new question: a repeated one would find its rows in SQLite's page cache,
  // which another process's commit empties, and the comparison would measure that instead.
  const queries = await embedder.doEmbed(Array.from({ length: 4096 }, () => queryText()));
  let qi = 0;
  const threshold = values["ann-threshold"];
  const store = await createSqliteMemoryStore({
    path,
    ...(threshold ? { annThreshold: Number(threshold) } : {}),
  });
  const search = async (s: SqliteMemoryStore) => {
    const t = performance.now();
    await s.vectorSearch(queries[qi++ % queries.length] as Float32Array, { k: 10 });
    return performance.now() - t;
  };

  // 1. cold start: exact answers while the index builds in the background.
  const during: number[] = [];
  const coldStart = performance.now();
  do {
    during.push(await search(store));
    await sleep(20); // a busy server's pace, leaving the builder thread some CPU
  } while ((await store.annStatus()).building);
  const built = await store.annStatus();
  const coldMs = performance.now() - coldStart;
  log(
    `index ${built.last?.source} in ${((built.last?.ms ?? 0) / 1000).toFixed(1)} s (${built.size} vectors)`,
  );

  // 2. steady state.
  const steady: number[] = [];
  for (let i = 0; i < 10; i++) await search(store);
  for (let i = 0; i < Number(values.queries); i++) steady.push(await search(store));

  // 3. the first search right after a worker's write.
  const workers = await Promise.all([spawnWorker(path, 0), spawnWorker(path, 1)]);
  const before = await store.annStatus();
  const afterWrite: number[] = [];
  const writeMs: number[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    const w = workers[r % 2] as ChildProcess;
    writeMs.push((await request<{ ms: number }>(w, { type: "write", count: Number(values.batch) })).ms);
    afterWrite.push(await search(store));
    await search(store);
  }
  const afterRounds = await store.annStatus();

  // 4. both workers writing while the server searches.
  const streamMs = Number(values["stream-s"]) * 1000;
  const streams = workers.map((w) =>
    request<{ writes: number; errors: string[]; lockStats: unknown }>(w, {
      type: "stream",
      intervalMs: 100,
      durationMs: streamMs,
    }),
  );
  const concurrent: number[] = [];
  const end = performance.now() + streamMs;
  while (performance.now() < end) {
    concurrent.push(await search(store));
    await sleep(5); // a request every few ms, with room for the event loop
  }
  const streamed = await Promise.all(streams);
  const final = await store.annStatus();
  for (const w of workers) w.send({ type: "exit" });
  await store.close();

  const result = {
    n: N,
    dim: DIM,
    cube: path,
    coldStart: {
      index: built.last,
      msUntilIndexReady: Math.round(coldMs),
      exactSearchesMeanwhile: summary(during),
    },
    /** The old behaviour: the first search after another process's write rebuilt the index inline. */
    oldFirstSearchAfterForeignWriteMs: built.last?.source === "built" ? Math.round(built.last.ms) : undefined,
    steady: summary(steady),
    firstSearchAfterWrite: { ...summary(afterWrite), batch: Number(values.batch), writeMs: summary(writeMs) },
    rounds: {
      builds: afterRounds.builds - before.builds,
      catchUps: afterRounds.catchUps - before.catchUps,
      caughtUpVectors: afterRounds.caughtUpVectors - before.caughtUpVectors,
    },
    concurrent: {
      searches: summary(concurrent),
      writes: streamed.reduce((a, s) => a + s.writes, 0),
      writerErrors: streamed.flatMap((s) => s.errors),
      writerLockStats: streamed.map((s) => s.lockStats),
      builds: final.builds - afterRounds.builds,
      catchUps: final.catchUps - afterRounds.catchUps,
    },
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    const row = (label: string, s: { p50: number; p95: number; max: number; n: number }) =>
      log(
        `${label.padEnd(48)} p50 ${s.p50.toFixed(2).padStart(8)} ms  p95 ${s.p95.toFixed(2).padStart(8)} ms  max ${s.max.toFixed(2).padStart(8)} ms  (${s.n})`,
      );
    log(`${N} memories, ${DIM}-d, one cube file, server + 2 worker processes`);
    row("exact search while the index builds", result.coldStart.exactSearchesMeanwhile);
    row("steady state (HNSW)", result.steady);
    row(`first search after a worker's write of ${values.batch}`, result.firstSearchAfterWrite);
    row("searches while both workers write (10/s each)", result.concurrent.searches);
    log(
      `full rebuilds after foreign writes: ${result.rounds.builds + result.concurrent.builds}; incremental catch-ups: ${result.rounds.catchUps + result.concurrent.catchUps}`,
    );
    log(
      `old behaviour: that first search waited for a full rebuild, ${((result.oldFirstSearchAfterForeignWriteMs ?? Number.NaN) / 1000).toFixed(1)} s`,
    );
    log(`writer errors: ${result.concurrent.writerErrors.length}`);
  }
}

if (values.role === "worker") {
  if (!values.cube || !existsSync(values.cube)) throw new Error("worker needs --cube <existing path>");
  await worker(values.cube, Number(values.n));
} else {
  await server();
}
