/**
 * Latency of the SQLite store's searches at scale (a measurement, not a test).
 *
 *   npx tsx bench/store-vector.ts [--n 100000] [--dim 100] [--queries 200] [--memory] [--ann-threshold N|Infinity]
 *
 * Fills a file-backed store (or :memory: with --memory) with N random DIM-d vectors and Zipf-like
 * random text (English function words at the head), then prints p50/p95 of vectorSearch and
 * keywordSearch (k=10, three-word queries from the same distribution): without a filter, with
 * filters sqlite-vec evaluates itself (status, user_id), and with a selective tag filter that runs
 * afterwards (over-fetch, then exact search among the matching rows). Above the store's ANN
 * threshold (default 20,000) vector search goes through the HNSW index, built (in the
 * background) before measuring; the build time is printed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { StoredItem } from "../src/core/interfaces/store.js";
import type { MemoryFilter } from "../src/core/schema/filter.js";
import { TextualMemoryItem } from "../src/core/schema/memory.js";
import { createSqliteMemoryStore } from "../src/storage/sqlite/index.js";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "100000" },
    dim: { type: "string", default: "100" },
    queries: { type: "string", default: "200" },
    memory: { type: "boolean", default: false },
    "ann-threshold": { type: "string" },
  },
});
const N = Number(values.n);
const DIM = Number(values.dim);
const QUERIES = Number(values.queries);

let seed = 12345;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
// Zipf-like text whose most frequent words are English function words, as in real text; content
// words follow. Queries draw from the same distribution, so they mix common and rare words.
const FUNCTION_WORDS =
  "the of and to a in is was that for it with as he on be at by i this had not are but from or have an they which one you were her all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people".split(
    " ",
  );
const VOCAB = [...FUNCTION_WORDS, ...Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x`)];
const word = () => VOCAB[Math.floor(VOCAB.length * rand() ** 3)] as string; // skewed: few common words
const vector = () => {
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) v[i] = rand() * 2 - 1;
  return v;
};
const STATUSES = [
  "activated",
  "activated",
  "activated",
  "activated",
  "activated",
  "activated",
  "activated",
  "archived",
  "archived",
  "resolving",
] as const;

const dir = mkdtempSync(join(tmpdir(), "memos-bench-"));
const path = values.memory ? ":memory:" : join(dir, "bench.db");
const annThreshold = values["ann-threshold"] === undefined ? undefined : Number(values["ann-threshold"]);
const store = await createSqliteMemoryStore({
  path,
  ...(annThreshold === undefined ? {} : { annThreshold }),
});

let t0 = performance.now();
const BATCH = 1000;
for (let start = 0; start < N; start += BATCH) {
  const batch: StoredItem[] = [];
  for (let i = start; i < Math.min(N, start + BATCH); i++) {
    batch.push({
      item: TextualMemoryItem.parse({
        id: `m${i}`,
        memory: Array.from({ length: 12 + Math.floor(rand() * 20) }, word).join(" "),
        metadata: {
          user_id: `u${i % 20}`,
          status: STATUSES[i % STATUSES.length],
          tags: [`t${i % 50}`],
          created_at: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
        },
      }),
      embedding: vector(),
    });
  }
  await store.addItems(batch);
}
const fillMs = performance.now() - t0;

function percentiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
  return { p50: at(0.5), p95: at(0.95), max: at(1) };
}

async function measure(label: string, run: () => Promise<unknown>) {
  for (let i = 0; i < 5; i++) await run(); // warm caches and statement cache
  const samples: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  const { p50, p95, max } = percentiles(samples);
  console.log(
    `${label.padEnd(52)} p50 ${p50.toFixed(2).padStart(7)} ms   p95 ${p95.toFixed(2).padStart(7)} ms   max ${max.toFixed(2).padStart(7)} ms`,
  );
}

console.log(
  `${N} items, ${DIM}-d vectors, ${path === ":memory:" ? "in memory" : "file (WAL)"}; fill ${(fillMs / 1000).toFixed(1)} s; ${QUERIES} queries each, k=10`,
);
const filters: [string, MemoryFilter | undefined][] = [
  ["no filter", undefined],
  ["status=activated (70%)", { status: "activated" }],
  ["status=activated & user_id=u3 (3.5%)", { status: "activated", user_id: "u3" }],
  ["tags contains t7 (2%)", { tags: { contains: "t7" } }],
];
// Above the ANN threshold the first search starts the HNSW build in the background; measure with it in place.
await store.vectorSearch(vector(), { k: 10 });
await store.annSettled();
for (const [name, filter] of filters) {
  await measure(`vectorSearch   ${name}`, () =>
    store.vectorSearch(vector(), { k: 10, ...(filter ? { filter } : {}) }),
  );
}
const ann = await store.annStatus();
console.log(
  ann.size === undefined
    ? `vector search exact (ANN threshold ${ann.threshold})`
    : `HNSW index of ${ann.size} vectors ${ann.last?.source} in ${((ann.last?.ms ?? 0) / 1000).toFixed(1)} s (before measuring)`,
);
for (const [name, filter] of filters) {
  await measure(`keywordSearch  ${name}`, () =>
    store.keywordSearch(`${word()} ${word()} ${word()}`, { k: 10, ...(filter ? { filter } : {}) }),
  );
}
t0 = performance.now();
console.log(
  `checkIntegrity ok=${(await store.checkIntegrity()).ok} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
