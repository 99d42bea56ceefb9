/**
 * Tasks per second through the Redis queue with 1, 2 and 4 worker processes (a measurement,
 * not a test).
 *
 *   npx tsx bench/scheduler-throughput.ts [--workers 1,2,4] [--tasks 2000] [--work-ms 0,2]
 *     [--concurrency 4] [--users 8] [--url redis://…] [--no-local] [--json]
 *
 * For each (work, workers) pair: start the worker processes (src/scheduler/testing/
 * worker-process.ts: the handler awaits `work` ms, then records its effect in Redis), wait
 * until they claim, then submit `tasks` tasks from this process over `users` users and time
 * from the first submit until every task is completed. The submit rate alone is printed too,
 * so a reader sees whether the producer was the bottleneck; CPU ms per task sums every process.
 * For comparison, LocalQueue with one in-process worker runs the same load. Without --url (or MEMOS_REDIS_URL)
 * a throwaway redis-server is started on a free loopback port.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Redis } from "ioredis";
import { importOptional } from "../src/providers/shared/lazy.js";
import { LOCAL_QUEUE_FILE, LocalQueue } from "../src/scheduler/queues/local-queue.js";
import { createRedisStreamQueue, type RedisStreamQueue } from "../src/scheduler/queues/redis-stream-queue.js";
import { startRedisServer } from "../src/scheduler/testing/redis-server.js";
import { type QueueWorkerProcess, spawnQueueWorker } from "../src/scheduler/testing/spawn-worker.js";
import { TASK_LABELS, type TaskHandler, type TaskQueue } from "../src/scheduler/types.js";
import { TaskWorker } from "../src/scheduler/worker.js";
import { type MachineInfo, machineInfo, markdownTable } from "./lib/report.js";

/** Options of {@link runThroughputBench}. */
export interface ThroughputOptions {
  /** Worker process counts to try. Default [1, 2, 4]. */
  workers?: number[];
  /** Tasks per run. Default 2000. */
  tasks?: number;
  /** Awaited work per task, in ms, one run each. Default [0, 2]. */
  workMs?: number[];
  /** Tasks each worker process runs at once. Default 4. */
  concurrency?: number;
  /** Users the tasks are spread over. Default 8. */
  users?: number;
  /** A Redis to use; default MEMOS_REDIS_URL, else a redis-server started for the run. */
  url?: string;
  /**
   * Also measure LocalQueue with one in-process worker, per work amount (rows with
   * `queue: "local"`). Default false; the command line turns it on unless --no-local.
   */
  local?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** One run's figures. */
export interface ThroughputRow {
  /** "redis": worker processes on RedisStreamQueue; "local": one in-process worker on LocalQueue. */
  queue: "redis" | "local";
  workers: number;
  work_ms: number;
  concurrency: number;
  tasks: number;
  /** Seconds from the first submit until every task completed. */
  seconds: number;
  tasks_per_s: number;
  /** Submits per second the producer reached (the ceiling of tasks_per_s in this set-up). */
  submit_per_s: number;
  /**
   * CPU time per task, all processes together (producer, workers, redis-server), in ms: the
   * figure a busy machine distorts least. Undefined where /proc or Redis INFO is unavailable.
   */
  cpu_ms_per_task?: number;
}

/** What {@link runThroughputBench} returns. */
export interface ThroughputReport {
  rows: ThroughputRow[];
  machine: MachineInfo;
  redis: string;
}

const SUBMITS_IN_FLIGHT = 64;

/**
 * Measure tasks/s through RedisStreamQueue with several worker processes.
 *
 * @example
 * const { rows } = await runThroughputBench({ workers: [1, 2, 4], tasks: 2000 });
 */
export async function runThroughputBench(options: ThroughputOptions = {}): Promise<ThroughputReport> {
  const {
    workers = [1, 2, 4],
    tasks = 2000,
    workMs = [0, 2],
    concurrency = 4,
    users = 8,
    local = false,
    log = () => {},
  } = options;
  const given = options.url ?? process.env.MEMOS_REDIS_URL;
  const server = given ? undefined : await startRedisServer();
  const url = given ?? (server?.url as string);
  const rows: ThroughputRow[] = [];
  try {
    for (const work of workMs) {
      if (local) {
        const row = await runLocal({ work, tasks, concurrency, users });
        log(`local queue, ${work} ms work: ${row.tasks_per_s.toFixed(0)} tasks/s`);
        rows.push(row);
      }
      for (const count of workers) {
        const row = await runOnce({ url, workers: count, work, tasks, concurrency, users });
        log(`${count} worker(s), ${work} ms work: ${row.tasks_per_s.toFixed(0)} tasks/s`);
        rows.push(row);
      }
    }
  } finally {
    await server?.stop();
  }
  return { rows, machine: machineInfo(), redis: given ? "given" : "redis-server started by the bench" };
}

async function runOnce(run: {
  url: string;
  workers: number;
  work: number;
  tasks: number;
  concurrency: number;
  users: number;
}): Promise<ThroughputRow> {
  const prefix = `bench-${randomUUID().slice(0, 8)}:`;
  const queue = await createRedisStreamQueue({ url: run.url, prefix, capacity: run.tasks + 1 });
  const { Redis: RedisClient } = await importOptional<typeof import("ioredis")>(
    "ioredis",
    "the scheduler bench",
  );
  const probe = new RedisClient(run.url);
  const procs = await Promise.all(
    Array.from({ length: run.workers }, (_, i) =>
      spawnQueueWorker({ url: run.url, prefix, name: `bench-w${i}`, concurrency: run.concurrency }),
    ),
  );
  try {
    return await measure(
      "redis",
      run,
      queue,
      () => untilCompleted(queue, run.tasks),
      () => cpuSeconds(probe, procs),
    );
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await queue.close();
    await probe.quit();
  }
}

/** CPU seconds used so far by this process, the worker processes and redis-server. */
async function cpuSeconds(redis: Redis, procs: QueueWorkerProcess[]): Promise<number | undefined> {
  const own = process.cpuUsage();
  let total = (own.user + own.system) / 1e6;
  for (const proc of procs) {
    try {
      // /proc/<pid>/stat: fields 14 and 15 are user and system time in clock ticks (100 per second).
      const fields = readFileSync(`/proc/${proc.child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return undefined;
    }
  }
  const info = await redis.info("cpu");
  const redisCpu =
    Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]);
  return Number.isFinite(redisCpu) ? total + redisCpu : undefined;
}

/** Submit the run's tasks, wait for `drained`, and turn the clocks into a row. */
async function measure(
  kind: ThroughputRow["queue"],
  run: { workers: number; work: number; tasks: number; concurrency: number; users: number },
  queue: TaskQueue,
  drained: () => Promise<void>,
  cpuSecondsNow: () => Promise<number | undefined>,
): Promise<ThroughputRow> {
  const cpuBefore = await cpuSecondsNow();
  const started = performance.now();
  await submitAll(queue, run);
  const submitted = performance.now();
  await drained();
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpuSecondsNow();
  const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  return {
    queue: kind,
    workers: run.workers,
    work_ms: run.work,
    concurrency: run.concurrency,
    tasks: run.tasks,
    seconds,
    tasks_per_s: run.tasks / seconds,
    submit_per_s: run.tasks / ((submitted - started) / 1000),
    ...(cpu === undefined ? {} : { cpu_ms_per_task: (cpu * 1000) / run.tasks }),
  };
}

/** LocalQueue (a SQLite file) with one TaskWorker in this process. */
async function runLocal(run: {
  work: number;
  tasks: number;
  concurrency: number;
  users: number;
}): Promise<ThroughputRow> {
  const dir = mkdtempSync(join(tmpdir(), "memos-bench-queue-"));
  const queue = new LocalQueue(join(dir, LOCAL_QUEUE_FILE), { capacity: run.tasks + 1 });
  let completed = 0;
  let allDone = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const work: TaskHandler = async () => {
    if (run.work) await new Promise((resolve) => setTimeout(resolve, run.work));
    return null;
  };
  const worker = new TaskWorker({
    queue,
    handlers: Object.fromEntries(TASK_LABELS.map((label) => [label, work])),
    name: "bench-local",
    concurrency: run.concurrency,
    onEvent: (event) => {
      if (event.type === "completed" && ++completed === run.tasks) allDone();
    },
  });
  worker.start();
  try {
    return await measure(
      "local",
      { ...run, workers: 1 },
      queue,
      () => finished,
      async () => {
        const cpu = process.cpuUsage();
        return (cpu.user + cpu.system) / 1e6;
      },
    );
  } finally {
    await worker.stop();
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function submitAll(
  queue: TaskQueue,
  run: { tasks: number; users: number; work: number },
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < run.tasks) {
      const i = next++;
      await queue.submit({
        label: "mem_read",
        user_id: `user${i % run.users}`,
        cube_id: "bench",
        payload: { ms: run.work, i },
      });
    }
  };
  await Promise.all(Array.from({ length: SUBMITS_IN_FLIGHT }, lane));
}

async function untilCompleted(queue: RedisStreamQueue, tasks: number): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const { by_status } = await queue.stats();
    if (by_status.completed + by_status.failed >= tasks) {
      if (by_status.failed > 0) throw new Error(`${by_status.failed} bench tasks failed`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`bench stalled at ${by_status.completed}/${tasks} completed`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      workers: { type: "string", default: "1,2,4" },
      tasks: { type: "string", default: "2000" },
      "work-ms": { type: "string", default: "0,2" },
      concurrency: { type: "string", default: "4" },
      users: { type: "string", default: "8" },
      url: { type: "string" },
      "no-local": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const list = (text: string) => text.split(",").map(Number);
  const report = await runThroughputBench({
    workers: list(values.workers),
    tasks: Number(values.tasks),
    workMs: list(values["work-ms"]),
    concurrency: Number(values.concurrency),
    users: Number(values.users),
    url: values.url,
    local: !values["no-local"],
    log: values.json ? undefined : (line) => console.error(line),
  });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(
    markdownTable(
      [
        "queue",
        "work ms",
        "workers",
        "concurrency each",
        "tasks",
        "seconds",
        "tasks/s",
        "submits/s",
        "CPU ms/task",
      ],
      report.rows.map((r) => [
        r.queue,
        String(r.work_ms),
        String(r.workers),
        String(r.concurrency),
        String(r.tasks),
        r.seconds.toFixed(2),
        r.tasks_per_s.toFixed(0),
        r.submit_per_s.toFixed(0),
        r.cpu_ms_per_task === undefined ? "—" : r.cpu_ms_per_task.toFixed(2),
      ]),
    ),
  );
  console.log(`\n${report.machine.cores} cores (${report.machine.cpu_model}), node ${report.machine.node}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
