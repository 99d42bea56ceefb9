/**
 * `memos bench scale [--n 10000,100000] [--queries 200] [--memory general|tree] [--json]`:
 * synthetic memories into a file-backed SQLite cube with the GloVe embedder; add throughput,
 * search latency (p50/p95/p99), peak RSS and store size on disk, per size. Reports go to
 * reports/scale-*.
 *
 * `--memory tree` measures TreeTextMemory in fast mode: working memory, vector, BM25 and graph
 * paths, RRF, MMR dedup, and the usage write of every search (one transaction) are all inside the
 * timed search. Capacities are lifted (the point is 100k activated memories) and the reorganizer
 * is off unless `--reorganize` (it compares every new memory with its neighbours: an add-time
 * cost, not a search-time one).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../src/core/errors/invalid-input-error.js";
import type { MemoryStore } from "../src/core/interfaces/store.js";
import { mulberry32 as rng } from "../src/core/math/random.js";
import { GeneralTextMemory } from "../src/memory/textual/general.js";
import { TreeTextMemory } from "../src/memory/textual/tree/index.js";
import { createGloveEmbedder } from "../src/providers/glove/index.js";
import { createPostgresMemoryStore } from "../src/storage/postgres/index.js";
import { createSqliteMemoryStore } from "../src/storage/sqlite/index.js";
import { startPgliteServer } from "../test/support/pglite-server.js";
import { percentile } from "./lib/metrics.js";
import { createProgress } from "./lib/progress.js";
import { fmt, gitCommit, machineInfo, markdownTable, writeReportFiles } from "./lib/report.js";

export type ScaleStore = "sqlite" | "postgres";

export interface ScaleRow {
  store: ScaleStore;
  memory: "general" | "tree";
  n: number;
  add_items_per_s: number;
  add_seconds: number;
  /** Seconds from the end of the adds until the approximate index is built (searches exact meanwhile) and the WAL checkpointed. */
  index_settle_s: number;
  search_p50_ms: number;
  search_p95_ms: number;
  search_p99_ms: number;
  peak_rss_mb: number;
  disk_mb: number;
}

export interface ScaleOptions {
  sizes: number[];
  queries: number;
  batch: number;
  progress: boolean;
  /** Which text memory (default general). */
  memory?: "general" | "tree";
  /** Tree memory only: integrate every add with the reorganizer (default false). */
  reorganize?: boolean;
  /** Which stores, each measured at every size (default sqlite). */
  stores?: ScaleStore[];
  /**
   * PostgreSQL for `postgres` (a server with pgvector); default MEMOS_PG_URL, else an in-process
   * PGlite served over the wire protocol (one connection; WebAssembly, so slower than a server).
   */
  pgUrl?: string;
}

/** A store under test at one size, and how to measure its size on disk. */
interface BenchStore {
  store: MemoryStore;
  /** Bytes on disk once closed (SQLite) or of the tables and indexes (PostgreSQL). */
  diskMb(): Promise<number>;
  close(): Promise<void>;
  /** Refresh the planner's statistics (PostgreSQL). */
  analyze?(): Promise<void>;
  /** Wait for a background index build and WAL checkpoint to land (SQLite). */
  settle?(): Promise<void>;
}

async function openBenchStore(
  kind: ScaleStore,
  dir: string,
  n: number,
  pgUrl: string | undefined,
): Promise<BenchStore> {
  if (kind === "sqlite") {
    const store = await createSqliteMemoryStore({ path: path.join(dir, "cube.db") });
    return {
      store,
      diskMb: async () => diskMb(dir),
      settle: async () => {
        await store.annSettled();
        await store.checkpointsSettled();
      },
      close: () => store.close(),
    };
  }
  // A fresh PGlite per size, so the relation sizes are this cube's alone.
  const server = pgUrl ? undefined : await startPgliteServer();
  const url = pgUrl ?? (server?.url as string);
  const store = await createPostgresMemoryStore({
    url,
    cubeId: `bench-scale-${n}-${Date.now()}`,
    poolSize: server ? server.poolSize : 4,
  });
  let bytes = 0;
  return {
    store,
    diskMb: async () => bytes / 2 ** 20,
    async analyze() {
      const { acquirePool } = await import("../src/storage/postgres/index.js");
      const ref = await acquirePool({ url, max: server ? server.poolSize : 4 });
      try {
        await ref.pool.query("ANALYZE memos_items; ANALYZE memos_edges");
      } finally {
        await ref.release();
      }
    },
    async close() {
      const { acquirePool } = await import("../src/storage/postgres/index.js");
      const ref = await acquirePool({ url, max: server ? server.poolSize : 4 });
      try {
        const { rows } = await ref.pool.query(
          "SELECT pg_total_relation_size('memos_items') + pg_total_relation_size('memos_edges') AS b",
        );
        bytes = Number(rows[0]?.b ?? 0);
      } finally {
        await store.close();
        await ref.release();
        await server?.stop();
      }
    },
  };
}

const NAMES = ["Maya", "Ana", "Tom", "Priya", "Chen", "Lucas", "Zoe", "Omar", "Ines", "Kofi", "Lena", "Ravi"];
const VERBS = [
  "visited",
  "cooked",
  "painted",
  "bought",
  "read about",
  "talked about",
  "planned",
  "photographed",
  "repaired",
  "sold",
];
const THINGS = [
  "a bicycle",
  "the old lighthouse",
  "a vegetable curry",
  "a jazz album",
  "the mountain cabin",
  "a wooden boat",
  "a pottery class",
  "the science museum",
  "a birthday cake",
  "the garden shed",
  "a vintage camera",
  "a chess set",
  "the marathon route",
  "a violin",
  "the farmers market",
  "a travel guide",
  "an oil painting",
  "the city library",
];
const WHEN = [
  "on Monday",
  "last weekend",
  "in early spring",
  "after work",
  "during the holidays",
  "yesterday",
  "in May 2023",
];

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;

export function syntheticMemory(r: () => number, i: number): string {
  return `${pick(r, NAMES)} ${pick(r, VERBS)} ${pick(r, THINGS)} ${pick(r, WHEN)} with ${pick(r, NAMES)} (note ${i}).`;
}

function diskMb(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0) / 2 ** 20;
}

export async function runScaleBench(options: ScaleOptions): Promise<ScaleRow[]> {
  const embedder = await createGloveEmbedder();
  const progress = createProgress(options.progress);
  const rows: ScaleRow[] = [];
  const pgUrl = options.pgUrl ?? process.env.MEMOS_PG_URL;
  for (const storeKind of options.stores ?? ["sqlite"])
    for (const n of options.sizes) {
      const dir = mkdtempSync(path.join(tmpdir(), "memos-scale-"));
      try {
        const bench = await openBenchStore(storeKind, dir, n, pgUrl);
        const { store } = bench;
        const kind = options.memory ?? "general";
        const unlimited = Number.POSITIVE_INFINITY;
        const memory =
          kind === "tree"
            ? new TreeTextMemory({
                store,
                embedder,
                reorganize: options.reorganize ?? false,
                capacities: { longTerm: unlimited, user: unlimited },
              })
            : new GeneralTextMemory({ store, embedder });
        const r = rng(42);
        progress.start(`add ${n}`, n);
        const t0 = performance.now();
        for (let i = 0; i < n; i += options.batch) {
          const texts = Array.from({ length: Math.min(options.batch, n - i) }, (_, j) =>
            syntheticMemory(r, i + j),
          );
          await memory.add(texts, { userId: "bench" });
          progress.increment(texts.length);
        }
        const addSeconds = (performance.now() - t0) / 1000;
        // A server's autovacuum analyses fresh tables; PGlite has none, so do it once here.
        await bench.analyze?.();
        // SQLite builds its approximate index on a worker thread after a bulk add and searches
        // exactly meanwhile (~15 ms at 100k instead of ~2), and copies the adds' WAL into the
        // file on another (checkpointer.ts): the latencies below are the steady state, and the
        // wait is a column of its own.
        const settleStart = performance.now();
        await memory.search("warm up", { topK: 10 });
        await bench.settle?.();
        const settleSeconds = (performance.now() - settleStart) / 1000;
        progress.start(`search ${n}`, options.queries);
        const q = rng(7);
        const latencies: number[] = [];
        for (let i = 0; i < options.queries; i++) {
          const query = `what did ${pick(q, NAMES)} ${pick(q, VERBS)} ${pick(q, WHEN)}?`;
          const s = performance.now();
          await memory.search(query, { topK: 10 });
          latencies.push(performance.now() - s);
          progress.increment();
        }
        progress.stop();
        await bench.close();
        rows.push({
          store: storeKind,
          memory: kind,
          n,
          add_items_per_s: n / addSeconds,
          add_seconds: addSeconds,
          index_settle_s: settleSeconds,
          search_p50_ms: percentile(latencies, 50),
          search_p95_ms: percentile(latencies, 95),
          search_p99_ms: percentile(latencies, 99),
          // maxRSS is the process's high-water mark so far: sizes run in ascending order, so each
          // row's figure is dominated by that size.
          peak_rss_mb: process.resourceUsage().maxRSS / 1024,
          disk_mb: await bench.diskMb(),
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  return rows;
}

function parseSizes(text: string): number[] {
  const sizes = text.split(",").map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000_000)) {
    throw new InvalidInputError({
      message: `--n takes sizes like 10000,100000, got "${text}"`,
      hint: "e.g. --n 10000,100000",
    });
  }
  return sizes.sort((a, b) => a - b);
}

export function registerScaleCommand(bench: Command): void {
  bench
    .command("scale")
    .description("add throughput, search latency, RSS and disk size at growing memory counts")
    .option("--n <sizes>", "comma-separated memory counts", "10000,100000")
    .option("--queries <n>", "searches per size", "200")
    .option("--batch <n>", "memories per add() call (one transaction each)", "1000")
    .option("--memory <kind>", "general (GeneralTextMemory) or tree (TreeTextMemory, fast mode)", "general")
    .option("--reorganize", "tree memory: run the reorganizer on every add (slow at 100k)")
    .option("--store <stores>", "sqlite, postgres, or both (sqlite,postgres)", "sqlite")
    .option(
      "--pg-url <url>",
      "PostgreSQL with pgvector for --store postgres (default MEMOS_PG_URL, else in-process PGlite)",
    )
    .option("--out <dir>", "report directory", "reports")
    .option("--json", "print the report as JSON on stdout")
    .action(
      async (opts: {
        n: string;
        queries: string;
        batch: string;
        out: string;
        json?: boolean;
        memory: string;
        reorganize?: boolean;
        store: string;
        pgUrl?: string;
      }) => {
        const stores = opts.store.split(",").map((x) => x.trim());
        if (stores.length === 0 || stores.some((x) => x !== "sqlite" && x !== "postgres")) {
          throw new InvalidInputError({
            message: `--store takes sqlite, postgres or both, got "${opts.store}"`,
            hint: "e.g. --store sqlite,postgres",
          });
        }
        if (opts.memory !== "general" && opts.memory !== "tree") {
          throw new InvalidInputError({
            message: `--memory must be general or tree, got "${opts.memory}"`,
            hint: "e.g. --memory tree",
          });
        }
        const settings: ScaleOptions = {
          sizes: parseSizes(opts.n),
          queries: Number(opts.queries),
          batch: Number(opts.batch),
          progress: !opts.json,
          memory: opts.memory,
          reorganize: Boolean(opts.reorganize),
          stores: stores as ScaleStore[],
          ...(opts.pgUrl ? { pgUrl: opts.pgUrl } : {}),
        };
        const rows = await runScaleBench(settings);
        const report = {
          commit: gitCommit(process.cwd()),
          machine: machineInfo(),
          settings,
          embedder: "glove-6b-100d-sif",
          rows,
        };
        const md = [
          "# Scale benchmark",
          "",
          `commit \`${report.commit}\` · ${report.machine.cores} cores · ${report.machine.memory_gb} GiB · Node ${report.machine.node}`,
          "",
          `Reproduce: \`npx memos bench scale --n ${settings.sizes.join(",")} --queries ${settings.queries} --store ${stores.join(",")}${settings.memory === "tree" ? ` --memory tree${settings.reorganize ? " --reorganize" : ""}` : ""}\``,
          "",
          settings.memory === "tree"
            ? "Synthetic one-sentence memories, file-backed SQLite (WAL), GloVe embeddings, TreeTextMemory fast search (working memory + vector + BM25 + graph, RRF, MMR dedup, usage recorded per search), top-10."
            : "Synthetic one-sentence memories, file-backed SQLite (WAL), GloVe embeddings, hybrid search (vector + BM25, RRF), top-10.",
          stores.includes("postgres")
            ? `PostgreSQL: ${settings.pgUrl || process.env.MEMOS_PG_URL ? "the server at --pg-url / MEMOS_PG_URL" : "PGlite 0.4 (PostgreSQL 17 in WebAssembly, pgvector 0.8) in this process over the wire protocol, one connection"}; disk is the size of its tables and indexes. The HNSW index is built when a cube reaches 20,000 vectors, as SQLite's.`
            : "",
          "Search latencies are timed once the approximate index has landed; `index settle s` is the wait for it after the adds (SQLite builds it on a worker thread and searches exactly meanwhile).",
          "",
          markdownTable(
            [
              "store",
              "memory",
              "memories",
              "add/s",
              "index settle s",
              "search p50 ms",
              "p95 ms",
              "p99 ms",
              "peak RSS MiB",
              "disk MiB",
            ],
            rows.map((r) => [
              r.store,
              r.memory,
              r.n,
              fmt(r.add_items_per_s, 0),
              fmt(r.index_settle_s, 1),
              fmt(r.search_p50_ms, 2),
              fmt(r.search_p95_ms, 2),
              fmt(r.search_p99_ms, 2),
              fmt(r.peak_rss_mb, 0),
              fmt(r.disk_mb, 1),
            ]),
          ),
          "",
        ].join("\n");
        const written = await writeReportFiles(opts.out, "scale", {
          json: `${JSON.stringify(report, null, 2)}\n`,
          md,
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else process.stdout.write(`${md}\nwritten: ${written.join(", ")}\n`);
      },
    );
}
