/**
 * Tasks per second through the Redis queue with 1, 2 and 4 worker processes (a measurement,
 * not a test).
 *
 *   npx tsx bench/scheduler-throughput.ts [--workers 1,2,4] [--tasks 2000] [--work-ms 0,2]
 *     [--concurrency 4] [--users 8] [--url redis://…] [--json]
 *
 * For each (work, workers) pair: start the worker processes (src/scheduler/testing/
 * worker-process.ts: the handler awaits `work` ms, then records its effect in Redis), wait
 * until they claim, then submit `tasks` tasks from this process over `users` users and time
 * from the first submit until every task is completed. The submit rate alone is printed too,
 * so a reader sees whether the producer was the bottleneck. Without --url (or MEMOS_REDIS_URL)
 * a throwaway redis-server is started on a free loopback port.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { createRedisStreamQueue, type RedisStreamQueue } from "../src/scheduler/queues/redis-stream-queue.js";
import { startRedisServer } from "../src/scheduler/testing/redis-server.js";
import { spawnQueueWorker } from "../src/scheduler/testing/spawn-worker.js";
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
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** One run's figures. */
export interface ThroughputRow {
  workers: number;
  work_ms: number;
  concurrency: number;
  tasks: number;
  /** Seconds from the first submit until every task completed. */
  seconds: number;
  tasks_per_s: number;
  /** Submits per second the producer reached (the ceiling of tasks_per_s in this set-up). */
  submit_per_s: number;
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
    log = () => {},
  } = options;
  const given = options.url ?? process.env.MEMOS_REDIS_URL;
  const server = given ? undefined : await startRedisServer();
  const url = given ?? (server?.url as string);
  const rows: ThroughputRow[] = [];
  try {
    for (const work of workMs) {
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
  const procs = await Promise.all(
    Array.from({ length: run.workers }, (_, i) =>
      spawnQueueWorker({ url: run.url, prefix, name: `bench-w${i}`, concurrency: run.concurrency }),
    ),
  );
  try {
    const started = performance.now();
    await submitAll(queue, run);
    const submitted = performance.now();
    await untilCompleted(queue, run.tasks);
    const seconds = (performance.now() - started) / 1000;
    return {
      workers: run.workers,
      work_ms: run.work,
      concurrency: run.concurrency,
      tasks: run.tasks,
      seconds,
      tasks_per_s: run.tasks / seconds,
      submit_per_s: run.tasks / ((submitted - started) / 1000),
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await queue.close();
  }
}

async function submitAll(
  queue: RedisStreamQueue,
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
    log: values.json ? undefined : (line) => console.error(line),
  });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(
    markdownTable(
      ["work ms", "workers", "concurrency each", "tasks", "seconds", "tasks/s", "submits/s"],
      report.rows.map((r) => [
        String(r.work_ms),
        String(r.workers),
        String(r.concurrency),
        String(r.tasks),
        r.seconds.toFixed(2),
        r.tasks_per_s.toFixed(0),
        r.submit_per_s.toFixed(0),
      ]),
    ),
  );
  console.log(`\n${report.machine.cores} cores (${report.machine.cpu_model}), node ${report.machine.node}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
