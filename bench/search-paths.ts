/**
 * Latency of the tree Searcher per recall path (a measurement, not a test).
 *
 *   npx tsx bench/search-paths.ts [--n 10000,100000] [--queries 200] [--mode fast|fine] [--db-dir DIR]
 *                                 [--ann-threshold N|Infinity]
 *
 * Fills a file-backed SQLite cube with bench/scale.ts's synthetic memories (GloVe vectors, with a
 * key, two tags, two users, 20% UserMemory, and FOLLOWS edges between neighbours) and times
 * `Searcher.search(query, {topK: 10})`: p50/p95/p99 of the whole search and of each stage it
 * reports in `timings`, then the store calls alone (vectorSearch and keywordSearch with the
 * searcher's filter, k = 50), so a slow search can be pinned on its store call. With --db-dir the
 * cubes are kept there and reused by later runs. Above the store's ANN threshold (default 20,000
 * vectors; --ann-threshold Infinity for exact search) it also prints how the HNSW index was
 * obtained (built or loaded, and how long that took) and its recall@10 against exact search.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { mulberry32 as rng } from "../src/core/math/random.js";
import type { MemoryEdge } from "../src/core/schema/memory.js";
import { TextualMemoryItem } from "../src/core/schema/memory.js";
import { createGloveEmbedder } from "../src/providers/glove/index.js";
import { resolveSearchOptions } from "../src/retrieve/options.js";
import { Searcher } from "../src/retrieve/searcher.js";
import { createSqliteMemoryStore, type SqliteMemoryStore } from "../src/storage/sqlite/index.js";
import { createScriptedLanguageModel } from "../src/testing/scripted-language-model.js";
import { percentile } from "./lib/metrics.js";
import { syntheticMemory } from "./scale.js";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "10000,100000" },
    queries: { type: "string", default: "200" },
    mode: { type: "string", default: "fast" },
    "db-dir": { type: "string" },
    "ann-threshold": { type: "string" },
  },
});
const sizes = String(values.n).split(",").map(Number);
const QUERIES = Number(values.queries);
const mode = values.mode === "fine" ? "fine" : "fast";
const annThreshold = values["ann-threshold"] === undefined ? undefined : Number(values["ann-threshold"]);
const notes: string[] = [];

const embedder = await createGloveEmbedder();

async function build(opts: { path: string; annThreshold?: number }, n: number): Promise<SqliteMemoryStore> {
  const store = await createSqliteMemoryStore(opts);
  const r = rng(42);
  let prev: string | undefined;
  for (let i = 0; i < n; i += 1000) {
    const items: TextualMemoryItem[] = [];
    const edges: MemoryEdge[] = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      const text = syntheticMemory(r, j);
      const words = text.split(" ");
      const id = `m${j}`;
      items.push(
        TextualMemoryItem.parse({
          id,
          memory: text,
          metadata: {
            user_id: j % 2 ? "alice" : "bob",
            memory_type: j % 5 === 0 ? "UserMemory" : "LongTermMemory",
            key: `${words[0]} ${words.at(-4)}`,
            tags: [String(words[0]).toLowerCase(), String(words[1]).toLowerCase()],
            created_at: new Date(Date.UTC(2024, 0, 1) + j * 60_000).toISOString(),
          },
        }),
      );
      if (prev && j % 10 !== 0) edges.push({ source: prev, target: id, type: "FOLLOWS" });
      prev = id;
    }
    const vectors = await embedder.doEmbed(items.map((x) => x.memory));
    await store.addItems(items.map((item, k) => ({ item, embedding: vectors[k] })));
    await store.addEdges(edges);
  }
  return store;
}

const NAMES = ["Maya", "Ana", "Tom", "Priya", "Chen", "Lucas", "Zoe", "Omar", "Ines", "Kofi", "Lena", "Ravi"];
const VERBS = ["visited", "cooked", "painted", "bought", "read about", "talked about", "planned", "repaired"];
const WHEN = [
  "on Monday",
  "last weekend",
  "in early spring",
  "after work",
  "during the holidays",
  "yesterday",
];
const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
const stats = (xs: number[]) => ({
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  p99: percentile(xs, 99),
});
const fmt = (x: number) => x.toFixed(1);

/** The store, with every call's [start, end] recorded (to tell store time from the searcher's own). */
function timedStore(store: SqliteMemoryStore): {
  store: SqliteMemoryStore;
  intervals: [number, number, string][];
} {
  const intervals: [number, number, string][] = [];
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || prop === "transaction") return value;
      return async (...args: unknown[]) => {
        const start = performance.now();
        try {
          return await value.apply(target, args);
        } finally {
          intervals.push([start, performance.now(), String(prop)]);
        }
      };
    },
  });
  return { store: wrapped, intervals };
}

/** Total length of the union of intervals. */
function unionMs(intervals: [number, number, string][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [s, e] of sorted) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

const keep = values["db-dir"];
const dir = keep ?? mkdtempSync(path.join(tmpdir(), "memos-search-"));
if (keep) mkdirSync(keep, { recursive: true });
console.log(`| memories | stage | p50 ms | p95 ms | p99 ms |\n|---:|---|---:|---:|---:|`);
try {
  for (const n of sizes) {
    const file = path.join(dir, `search-${n}.db`);
    const opts = { path: file, ...(annThreshold === undefined ? {} : { annThreshold }) };
    const raw = existsSync(file) ? await createSqliteMemoryStore(opts) : await build(opts, n);
    {
      // The first vector search loads or builds the HNSW index when the cube is above the threshold.
      const t = performance.now();
      const [v] = await embedder.doEmbed(["first search"]);
      await raw.vectorSearch(v as Float32Array, { k: 10 });
      await raw.annSettled(); // a big index builds in the background; measure with it in place
      const ann = await raw.annStatus();
      notes.push(
        ann.size === undefined
          ? `n=${n}: exact vector search (ANN threshold ${ann.threshold})`
          : `n=${n}: HNSW index of ${ann.size} vectors ${ann.last?.source} in ${fmt(ann.last?.ms ?? 0)} ms ` +
              `(first search ${fmt(performance.now() - t)} ms)`,
      );
    }
    const { store, intervals } = timedStore(raw);
    const llm = createScriptedLanguageModel([
      {
        match: "Query:",
        reply: (m) => ({ rephrased_query: String(m.at(-1)?.content).slice(7), keys: [], tags: [] }),
      },
    ]);
    const searcher = new Searcher({ store, embedder, llm });
    const q = rng(7);
    const queries = Array.from(
      { length: QUERIES },
      () => `what did ${pick(q, NAMES)} ${pick(q, VERBS)} ${pick(q, WHEN)}?`,
    );
    for (const query of queries.slice(0, 10)) await searcher.search(query, { mode }); // warm caches
    const perStage = new Map<string, number[]>();
    for (const query of queries) {
      intervals.length = 0;
      const r = await searcher.search(query, { topK: 10, mode, filter: { user_id: "alice" } });
      const inStore = unionMs(intervals);
      r.timings["store calls (wall)"] = inStore;
      r.timings["  of which vector+keyword search"] = unionMs(
        intervals.filter((i) => i[2] === "vectorSearch" || i[2] === "keywordSearch"),
      );
      r.timings["  of which other store calls"] = unionMs(
        intervals.filter((i) => i[2] !== "vectorSearch" && i[2] !== "keywordSearch"),
      );
      r.timings["searcher's own work"] = (r.timings.total ?? 0) - inStore;
      for (const [stage, ms] of Object.entries(r.timings))
        perStage.set(stage, [...(perStage.get(stage) ?? []), ms]);
    }
    for (const [stage, xs] of [...perStage.entries()].sort((a, b) =>
      a[0] === "total" ? 1 : b[0] === "total" ? -1 : 0,
    )) {
      const s = stats(xs);
      console.log(`| ${n} | ${stage} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} |`);
    }
    // The store calls alone, with the filter the searcher sends.
    const filter = resolveSearchOptions({ filter: { user_id: "alice" } }).filter;
    const vec: number[] = [];
    const kw: number[] = [];
    for (const query of queries) {
      const [v] = await embedder.doEmbed([query]);
      let t = performance.now();
      await store.vectorSearch(v as Float32Array, { k: 50, filter });
      vec.push(performance.now() - t);
      t = performance.now();
      await store.keywordSearch(query, { k: 50, filter });
      kw.push(performance.now() - t);
    }
    for (const [name, xs] of [
      ["store.vectorSearch alone", vec],
      ["store.keywordSearch alone", kw],
    ] as const) {
      const s = stats(xs);
      console.log(`| ${n} | ${name} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} |`);
    }
    if ((await raw.annStatus()).size !== undefined) {
      // Recall@10 of the ANN path against exact search on the same file, with and without the filter.
      const exact = await createSqliteMemoryStore({ path: file, annThreshold: Number.POSITIVE_INFINITY });
      for (const f of [undefined, filter]) {
        let found = 0;
        let total = 0;
        for (const query of queries) {
          const [v] = await embedder.doEmbed([query]);
          const truth = (await exact.vectorSearch(v as Float32Array, { k: 10, filter: f })).map((h) => h.id);
          const got = new Set(
            (await raw.vectorSearch(v as Float32Array, { k: 10, filter: f })).map((h) => h.id),
          );
          found += truth.filter((id) => got.has(id)).length;
          total += truth.length;
        }
        notes.push(
          `n=${n}: ANN recall@10 vs exact ${f ? "(searcher's filter)" : "(no filter)"}: ${(found / total).toFixed(4)}`,
        );
      }
      await exact.close();
    }
    await raw.close();
  }
  for (const line of notes) console.log(`\n${line}`);
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
