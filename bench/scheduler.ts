/**
 * The scheduler's two figures (a measurement, not a test):
 *
 * 1. Add latency, p50/p95: a fine add done in the request (the LLM extracts before the add
 *    returns) versus the same add with the scheduler on (fast memories commit, the fine pass and
 *    preference extraction run in the background). The LLM is scripted and waits a fixed delay
 *    per call (default 1,500 ms: a hosted model's extraction call), so the figures show what the
 *    scheduler removes from the add's path, not a model's speed. The background drain time and
 *    the fine memories it wrote are reported too, so the work is seen to be done, not dropped.
 * 2. Tasks/s through Redis with 1, 2 and 4 worker processes (`runThroughputBench` in
 *    bench/scheduler-throughput.ts; a redis-server is started for the run).
 *
 *   memos bench scheduler [--adds 20] [--llm-delay-ms 1500] [--workers 1,2,4] [--tasks 2000] [--no-redis] [--json]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import type { LanguageModel } from "../src/core/interfaces/language-model.js";
import { MOS } from "../src/mos/mos.js";
import { createMosScheduler } from "../src/scheduler/mos-scheduler.js";
import { REDIS_SERVER_BIN } from "../src/scheduler/testing/redis-server.js";
import { fineModel } from "../src/scheduler/testing/scripted-models.js";
import { fmt, gitCommit, machineInfo, markdownTable, writeReportFiles } from "./lib/report.js";
import { runThroughputBench, type ThroughputReport } from "./scheduler-throughput.js";

/** Options of {@link runSchedulerBench}. */
export interface SchedulerBenchOptions {
  /** Adds per condition. Default 20. */
  adds?: number;
  /** Delay of every scripted LLM call, ms. Default 1500. */
  llmDelayMs?: number;
  /** Worker processes for the Redis throughput; [] skips it. Default [1, 2, 4]. */
  workers?: number[];
  /** Tasks per throughput run. Default 2000. */
  tasks?: number;
  log?: (line: string) => void;
}

/** Latency of one condition, in ms. */
export interface LatencyRow {
  condition: "sync fine add" | "scheduler on (fast add + background fine)";
  adds: number;
  p50_ms: number;
  p95_ms: number;
  mean_ms: number;
  /** Scheduler on: from the last add's return until every background task finished. */
  drain_s?: number;
  /** Memories tagged mode:fine in the cube afterwards (the fine pass did its work). */
  fine_memories: number;
  /** Scheduler on: background tasks that failed (should be 0). */
  failed_tasks?: number;
}

export interface SchedulerBenchReport {
  commit: string;
  machine: ReturnType<typeof machineInfo>;
  load_average_1m: { before: number; after: number };
  llm_delay_ms: number;
  latency: LatencyRow[];
  throughput?: ThroughputReport;
  throughput_skipped?: string;
}

/** A scripted model (the tests' fine extraction) that waits `delayMs` before every answer. */
function slowModel(delayMs: number): LanguageModel {
  const inner = fineModel([
    { match: "List the user's explicit and implicit preferences.", reply: { explicit: [], implicit: [] } },
  ]);
  return {
    specificationVersion: "v1",
    provider: "scripted-delay",
    modelId: `scripted+${delayMs}ms`,
    structuredOutput: inner.structuredOutput,
    async doGenerate(messages, options) {
      await new Promise((r) => setTimeout(r, delayMs));
      return inner.doGenerate(messages, options);
    },
    doStream: (messages, options) => inner.doStream(messages, options),
  };
}

/** The i-th add: a short exchange, as a chat client would send after each turn. */
function turn(i: number) {
  const at = new Date(Date.UTC(2025, 0, 1, 9, i)).toISOString();
  return [
    {
      role: "user",
      speaker: "Ana",
      content: `Note ${i}: I booked the pottery class number ${i} for Thursday.`,
      chat_time: at,
      message_id: `b${i}:0`,
    },
    {
      role: "assistant",
      speaker: "Assistant",
      content: `Noted: pottery class ${i} on Thursday.`,
      chat_time: at,
      message_id: `b${i}:1`,
    },
  ];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

function summarise(condition: LatencyRow["condition"], ms: number[]): Omit<LatencyRow, "fine_memories"> {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    condition,
    adds: ms.length,
    p50_ms: percentile(sorted, 50),
    p95_ms: percentile(sorted, 95),
    mean_ms: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length),
  };
}

async function fineCount(mos: MOS): Promise<number> {
  const all = await mos.getAll({ userId: "ana", limit: 100_000 });
  return all.text_mem.flatMap((c) => c.memories).filter((m) => m.metadata.tags.includes("mode:fine")).length;
}

async function latencyRun(
  async: boolean,
  adds: number,
  delayMs: number,
  log: (l: string) => void,
): Promise<LatencyRow> {
  const dir = mkdtempSync(join(tmpdir(), "memos-bench-sched-"));
  const mos = await MOS.init({ home: dir, user: "ana", llm: slowModel(delayMs) });
  const scheduler = async ? await createMosScheduler(mos, { worker: { concurrency: 2 } }) : undefined;
  try {
    await mos.add({ userId: "ana", memoryContent: "warm-up: the embedder loads here" });
    const ms: number[] = [];
    for (let i = 0; i < adds; i++) {
      const t0 = performance.now();
      await mos.add({ userId: "ana", messages: turn(i), mode: "fine", asyncMode: async ? "async" : "sync" });
      ms.push(performance.now() - t0);
    }
    const row: LatencyRow = {
      ...summarise(async ? "scheduler on (fast add + background fine)" : "sync fine add", ms),
      fine_memories: 0,
    };
    if (scheduler) {
      const t0 = performance.now();
      const waited = await scheduler.waitIdle("ana", 30 * 60_000);
      row.drain_s = (performance.now() - t0) / 1000;
      if (!waited.idle) throw new Error(`background tasks did not finish: ${waited.active} active`);
      row.failed_tasks = (await scheduler.summary("ana")).failed;
    }
    row.fine_memories = await fineCount(mos);
    log(`${row.condition}: p50 ${fmt(row.p50_ms, 1)} ms, p95 ${fmt(row.p95_ms, 1)} ms`);
    return row;
  } finally {
    await scheduler?.close();
    await mos.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Run both parts.
 *
 * @example
 * const report = await runSchedulerBench({ adds: 20, llmDelayMs: 1500, workers: [1, 2, 4] });
 */
export async function runSchedulerBench(options: SchedulerBenchOptions = {}): Promise<SchedulerBenchReport> {
  const { adds = 20, llmDelayMs = 1500, workers = [1, 2, 4], tasks = 2000, log = () => {} } = options;
  const before = loadavg()[0] ?? 0;
  const latency = [
    await latencyRun(false, adds, llmDelayMs, log),
    await latencyRun(true, adds, llmDelayMs, log),
  ];
  const report: SchedulerBenchReport = {
    commit: gitCommit(process.cwd()),
    machine: machineInfo(),
    load_average_1m: { before, after: 0 },
    llm_delay_ms: llmDelayMs,
    latency,
  };
  if (workers.length === 0) report.throughput_skipped = "--workers empty";
  else if (!REDIS_SERVER_BIN && !process.env.MEMOS_REDIS_URL)
    report.throughput_skipped = "no redis-server (apt-get install redis-server) and no MEMOS_REDIS_URL";
  else report.throughput = await runThroughputBench({ workers, tasks, log });
  report.load_average_1m.after = loadavg()[0] ?? 0;
  return report;
}

/** The report as Markdown. */
export function renderSchedulerReport(r: SchedulerBenchReport): string {
  const lines = [
    `# Scheduler bench (${r.commit})`,
    "",
    `Add latency: a chat turn (2 messages) added in fine mode, ${r.latency[0]?.adds} adds per condition. The LLM is scripted and waits ${r.llm_delay_ms} ms per call (a realistic hosted extraction call), so these figures measure what the scheduler takes off the add's path, not a model. In the background the scheduler also runs preference extraction (one more ${r.llm_delay_ms} ms call per add), included in the drain time.`,
    "",
    markdownTable(
      [
        "condition",
        "adds",
        "p50 ms",
        "p95 ms",
        "mean ms",
        "background drain s",
        "fine memories after",
        "failed tasks",
      ],
      r.latency.map((l) => [
        l.condition,
        l.adds,
        fmt(l.p50_ms, 1),
        fmt(l.p95_ms, 1),
        fmt(l.mean_ms, 1),
        l.drain_s === undefined ? "—" : fmt(l.drain_s, 1),
        l.fine_memories,
        l.failed_tasks ?? "—",
      ]),
    ),
    "",
  ];
  if (r.throughput) {
    lines.push(
      "Tasks/s through Redis (bench/scheduler-throughput.ts: worker processes, each running 4 tasks at once; the work is an awaited delay):",
      "",
      markdownTable(
        ["work ms", "workers", "tasks", "seconds", "tasks/s", "submits/s"],
        r.throughput.rows.map((x) => [
          x.work_ms,
          x.workers,
          x.tasks,
          fmt(x.seconds, 2),
          fmt(x.tasks_per_s, 0),
          fmt(x.submit_per_s, 0),
        ]),
      ),
      "",
    );
  } else lines.push(`Tasks/s through Redis: skipped (${r.throughput_skipped}).`, "");
  lines.push(
    `Machine: ${r.machine.cpu_model}, ${r.machine.cores} cores, ${r.machine.memory_gb} GB, Node ${r.machine.node}; load average (1 min) ${fmt(r.load_average_1m.before, 2)} before, ${fmt(r.load_average_1m.after, 2)} after.`,
  );
  return `${lines.join("\n")}\n`;
}

/** `memos bench scheduler`. */
export function registerSchedulerCommand(bench: Command): void {
  bench
    .command("scheduler")
    .description(
      "add latency with the scheduler vs a synchronous fine add; tasks/s through Redis with 1/2/4 workers",
    )
    .option("--adds <n>", "adds per condition", "20")
    .option("--llm-delay-ms <ms>", "delay of every scripted LLM call", "1500")
    .option("--workers <list>", "worker processes for the Redis throughput (empty: skip)", "1,2,4")
    .option("--tasks <n>", "tasks per throughput run", "2000")
    .option("--out <dir>", "report directory", "reports")
    .option("--json", "print the report as JSON on stdout")
    .action(
      async (opts: {
        adds: string;
        llmDelayMs: string;
        workers: string;
        tasks: string;
        out: string;
        json?: boolean;
      }) => {
        const report = await runSchedulerBench({
          adds: Number(opts.adds),
          llmDelayMs: Number(opts.llmDelayMs),
          workers: opts.workers
            .split(",")
            .filter((w) => w.trim() !== "")
            .map(Number),
          tasks: Number(opts.tasks),
          log: opts.json ? undefined : (l) => process.stderr.write(`${l}\n`),
        });
        const markdown = renderSchedulerReport(report);
        const files = await writeReportFiles(opts.out, "scheduler", {
          json: `${JSON.stringify(report, null, 2)}\n`,
          md: markdown,
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else process.stdout.write(`${markdown}\nwritten: ${files.join(", ")}\n`);
      },
    );
}
