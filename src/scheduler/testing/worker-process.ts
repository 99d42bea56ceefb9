/**
 * A worker process for the multi-process tests and the throughput bench: it runs a TaskWorker
 * on a RedisStreamQueue whose handler (for every label) waits `payload.ms`, then records its
 * side effect by incrementing `<prefix>effects[task_id]` (so a test can count runs per task),
 * and fails every attempt of a `payload.poison` task. Prints "ready" once claiming; on SIGTERM
 * releases what it holds and exits. Start it with {@link spawnQueueWorker}.
 *
 * Usage: node --import tsx worker-process.ts '<WorkerProcessConfig as JSON>'
 */
import { ProviderError } from "../../core/errors/provider-error.js";
import { importOptional } from "../../providers/shared/lazy.js";
import type { TaskHandlers } from "../handlers.js";
import { createRedisStreamQueue } from "../queues/redis-stream-queue.js";
import { TASK_LABELS, type TaskHandler } from "../types.js";
import { TaskWorker } from "../worker.js";
import type { WorkerProcessConfig } from "./spawn-worker.js";

const config = JSON.parse(process.argv[2] ?? "{}") as WorkerProcessConfig;
const queue = await createRedisStreamQueue({
  url: config.url,
  prefix: config.prefix,
  visibilityTimeoutMs: config.visibilityTimeoutMs,
});
const { Redis } = await importOptional<typeof import("ioredis")>("ioredis", "the worker process");
const effects = new Redis(config.url);

const work: TaskHandler = async (task) => {
  const payload = (task.payload ?? {}) as { ms?: number; poison?: boolean };
  if (payload.poison) throw new ProviderError({ message: "poison task: fails every time", provider: "test" });
  if (payload.ms) await new Promise((resolve) => setTimeout(resolve, payload.ms));
  await effects.hincrby(`${config.prefix}effects`, task.task_id, 1);
  return { worker: config.name };
};
const handlers: TaskHandlers = Object.fromEntries(TASK_LABELS.map((label) => [label, work]));

const worker = new TaskWorker({
  queue,
  handlers,
  name: config.name,
  concurrency: config.concurrency ?? 1,
  heartbeatMs: config.heartbeatMs ?? 1000,
  blockMs: 1000,
});
worker.start();
process.stdout.write("ready\n");

process.once("SIGTERM", () => {
  void (async () => {
    await worker.stop({ mode: "release" });
    await queue.close();
    await effects.quit();
    process.exit(0);
  })();
});
