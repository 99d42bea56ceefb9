/**
 * `memos bench http [--n 10000] [--duration 30] [--connections 50] [--json]`: load on the REST
 * server with autocannon. The server runs in its own process (`memos serve`), so the load
 * generator does not share its event loop; it serves a cube of `n` synthetic memories, with API
 * keys on (every request authenticated) and the rate limit off (the point is the server's
 * capacity, not the limiter's).
 *
 * Two runs: `search` (POST /product/search only) and `mixed` (one sync add per four searches).
 * Each reports requests/s, latency p50/p95/p99 and errors (socket errors, timeouts, non-2xx).
 * After the mixed run every add the server acknowledged (200 with memory ids) is looked up in
 * the store: `lost` must be 0. Reports go to reports/http-load-*.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import type { Command } from "commander";
import { mulberry32 as rng } from "../src/core/math/random.js";
import { createApiKey } from "../src/mos/api-keys.js";
import { MOS } from "../src/mos/mos.js";
import { percentile } from "./lib/metrics.js";
import { fmt, gitCommit, machineInfo, markdownTable, writeReportFiles } from "./lib/report.js";
import { syntheticMemory } from "./scale.js";

export interface HttpLoadOptions {
  n: number;
  durationSeconds: number;
  connections: number;
  /** Searches per add in the mixed run. */
  searchesPerAdd: number;
  progress: boolean;
}

export interface HttpLoadRow {
  run: "search" | "mixed";
  requests: number;
  requests_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  errors: number;
  non_2xx: number;
  timeouts: number;
  adds_acknowledged: number;
  adds_found: number;
  lost: number;
}

const QUESTIONS = ["what did", "when did", "who", "where did", "tell me about"];
const NAMES = ["Maya", "Ana", "Tom", "Priya", "Chen", "Lucas", "Zoe", "Omar"];
const THINGS = [
  "a bicycle",
  "the old lighthouse",
  "a jazz album",
  "a violin",
  "the city library",
  "a chess set",
];

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;

/** Fill a fresh home's cube with `n` memories, make a key, and return both. */
async function prepareHome(
  dir: string,
  n: number,
  log: (s: string) => void,
): Promise<{ key: string; cubeId: string }> {
  const mos = await MOS.init({ home: dir, user: "bench" });
  try {
    const cubeId = mos.defaultCubeOf();
    const cube = await mos.openCube(cubeId, { action: "write" });
    const r = rng(42);
    const started = performance.now();
    for (let i = 0; i < n; i += 1000) {
      const texts = Array.from({ length: Math.min(1000, n - i) }, (_, j) => syntheticMemory(r, i + j));
      await cube.text.add(texts, { userId: "bench", cubeId });
    }
    log(`filled ${cubeId} with ${n} memories in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { key: createApiKey(mos.home.registry, "bench").key, cubeId };
  } finally {
    await mos.close();
  }
}

/** `memos serve` in a child process; resolves with its base URL once /health answers. */
async function startServer(dir: string): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const here = import.meta.url;
  const ts = here.endsWith(".ts");
  const cli = fileURLToPath(new URL(`../src/cli/bin.${ts ? "ts" : "js"}`, here));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    process.execPath,
    [
      ...(ts ? ["--import", "tsx"] : []),
      cli,
      "serve",
      "--dir",
      dir,
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
    ],
    { env: { ...process.env, MEMOS_RATE_LIMIT: "0", MEMOS_LLM: "" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr?.on("data", (d) => {
    err += String(d);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${err}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child, stderr: () => err };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGTERM");
  throw new Error(`the server did not start in 60 s: ${err}`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM"); // memos serve finishes queued work, then exits
  await exited;
}

async function load(
  url: string,
  key: string,
  options: HttpLoadOptions,
  requests: autocannon.Request[],
): Promise<{ result: autocannon.Result; latencies: number[] }> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        duration: options.durationSeconds,
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        requests,
        timeout: 30,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
    if (options.progress)
      autocannon.track(instance, {
        renderProgressBar: true,
        renderResultsTable: false,
        renderLatencyTable: false,
      });
  });
  return { result, latencies };
}

function row(
  run: HttpLoadRow["run"],
  result: autocannon.Result,
  latencies: number[],
  adds = { acknowledged: 0, found: 0 },
): HttpLoadRow {
  const total = result.requests.total;
  return {
    run,
    requests: total,
    requests_per_s: total / result.duration,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    p99_ms: percentile(latencies, 99),
    errors: result.errors,
    non_2xx: result.non2xx,
    timeouts: result.timeouts,
    adds_acknowledged: adds.acknowledged,
    adds_found: adds.found,
    lost: adds.acknowledged - adds.found,
  };
}

export async function runHttpLoad(
  options: HttpLoadOptions,
  log: (s: string) => void = () => {},
): Promise<HttpLoadRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "memos-http-load-"));
  try {
    const { key, cubeId } = await prepareHome(dir, options.n, log);
    const q = rng(7);
    const search = (): autocannon.Request => ({
      method: "POST",
      path: "/product/search",
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({
          query: `${pick(q, QUESTIONS)} ${pick(q, NAMES)} ${pick(q, THINGS)}?`,
          top_k: 10,
        }),
      }),
    });
    const acknowledged: string[] = [];
    let addNo = 0;
    const add: autocannon.Request = {
      method: "POST",
      path: "/product/add",
      setupRequest: (req) => {
        addNo += 1;
        const content = `Load test note ${addNo}: ${pick(q, NAMES)} mentioned ${pick(q, THINGS)} at ${Date.now()}`;
        return {
          ...req,
          body: JSON.stringify({
            writable_cube_ids: [cubeId],
            messages: [{ role: "user", content }],
            async_mode: "sync",
          }),
        };
      },
      onResponse: (status, body) => {
        if (status !== 200) return;
        for (const m of (JSON.parse(body) as { data: { memory_id: string }[] }).data)
          acknowledged.push(m.memory_id);
      },
    };

    const server = await startServer(dir);
    let searchRun: Awaited<ReturnType<typeof load>>;
    let mixedRun: Awaited<ReturnType<typeof load>>;
    try {
      // Warm-up, not measured: the first call opens the cube (store, index, embedder).
      await fetch(`${server.url}/product/search`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: "warm up", top_k: 1 }),
      });
      log(`search run: ${options.connections} connections, ${options.durationSeconds} s`);
      searchRun = await load(server.url, key, options, [search()]);
      log(`mixed run: one add per ${options.searchesPerAdd} searches`);
      mixedRun = await load(server.url, key, options, [
        add,
        ...Array.from({ length: options.searchesPerAdd }, search),
      ]);
    } finally {
      await stopServer(server.child);
    }
    // Every acknowledged add must be in the store, read back by a fresh process-level open.
    const mos = await MOS.open({ home: dir, userId: "bench" });
    let found = 0;
    try {
      const cube = await mos.openCube(cubeId);
      for (let i = 0; i < acknowledged.length; i += 500)
        found += (await cube.text.getMany(acknowledged.slice(i, i + 500))).length;
    } finally {
      await mos.close();
    }
    return [
      row("search", searchRun.result, searchRun.latencies),
      row("mixed", mixedRun.result, mixedRun.latencies, { acknowledged: acknowledged.length, found }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function registerHttpCommand(bench: Command): void {
  bench
    .command("http")
    .description("HTTP load on memos serve (autocannon): search-only and mixed add/search runs")
    .option("--n <count>", "memories in the cube", "10000")
    .option("--duration <s>", "seconds per run", "30")
    .option("--connections <n>", "concurrent clients", "50")
    .option("--searches-per-add <n>", "mixed run: searches per add", "4")
    .option("--out <dir>", "report directory", "reports")
    .option("--json", "print the report as JSON on stdout")
    .action(
      async (opts: {
        n: string;
        duration: string;
        connections: string;
        searchesPerAdd: string;
        out: string;
        json?: boolean;
      }) => {
        const settings: HttpLoadOptions = {
          n: Number(opts.n),
          durationSeconds: Number(opts.duration),
          connections: Number(opts.connections),
          searchesPerAdd: Number(opts.searchesPerAdd),
          progress: !opts.json,
        };
        const before = loadavg()[0] ?? 0;
        const rows = await runHttpLoad(
          settings,
          opts.json ? () => {} : (s) => process.stderr.write(`${s}\n`),
        );
        const report = {
          commit: gitCommit(process.cwd()),
          machine: machineInfo(),
          load_average_1m: { before, after: loadavg()[0] ?? 0 },
          settings,
          rows,
        };
        const table = markdownTable(
          [
            "run",
            "requests",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "errors",
            "non-2xx",
            "timeouts",
            "adds acked",
            "adds found",
            "lost",
          ],
          rows.map((r) => [
            r.run,
            String(r.requests),
            fmt(r.requests_per_s, 1),
            fmt(r.p50_ms, 1),
            fmt(r.p95_ms, 1),
            fmt(r.p99_ms, 1),
            String(r.errors),
            String(r.non_2xx),
            String(r.timeouts),
            String(r.adds_acknowledged),
            String(r.adds_found),
            String(r.lost),
          ]),
        );
        const md = `# HTTP load (memos serve)\n\n${settings.connections} connections, ${settings.durationSeconds} s per run, ${settings.n} memories, API key auth on, rate limit off; server in its own process; one warm-up search first. Commit ${report.commit}. Machine load average (1 min) before/after: ${fmt(report.load_average_1m.before, 1)} / ${fmt(report.load_average_1m.after, 1)} on ${report.machine.cores} cores.\n\n${table}\n\nMachine: ${JSON.stringify(report.machine)}\n`;
        const written = await writeReportFiles(opts.out, "http-load", {
          json: JSON.stringify(report, null, 2),
          md,
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else process.stdout.write(`${md}\nReports: ${written.join(", ")}\n`);
        if (rows.some((r) => r.lost > 0)) process.exitCode = 1;
      },
    );
}
