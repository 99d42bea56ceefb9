/**
 * Many worker processes on one Redis: each task done exactly once, a killed worker's tasks
 * finished by the others, a poison task dead-lettered. The workers are real processes
 * (src/scheduler/testing/worker-process.ts); the redis-server is started by the test.
 */
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import { REDIS_HOW_TO, REDIS_SERVER_BIN, useRedisServer } from "../../../test/support/redis.js";
import { itWithService } from "../../../test/support/services.js";
import { type QueueWorkerProcess, spawnQueueWorker } from "../testing/spawn-worker.js";
import type { Task } from "../types.js";
import { createRedisStreamQueue, type RedisStreamQueue } from "./redis-stream-queue.js";

const redis = useRedisServer();
let client: Redis | undefined;
if (REDIS_SERVER_BIN) {
  beforeAll(async () => {
    const { Redis } = await import("ioredis");
    client = new Redis(redis.url());
  });
  afterAll(async () => {
    await client?.quit();
  });
}

const VISIBILITY_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("RedisStreamQueue with several worker processes", () => {
  const workers: QueueWorkerProcess[] = [];
  const queues: RedisStreamQueue[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()));
    for (const q of queues.splice(0)) await q.close();
  });

  async function setup(prefix: string, count: number, concurrency: number) {
    const url = redis.url();
    const queue = await createRedisStreamQueue({ url, prefix, visibilityTimeoutMs: VISIBILITY_MS });
    queues.push(queue);
    const started = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        spawnQueueWorker({
          url,
          prefix,
          name: `w${i}`,
          concurrency,
          visibilityTimeoutMs: VISIBILITY_MS,
          heartbeatMs: 300,
        }),
      ),
    );
    workers.push(...started);
    return { queue, workers: started };
  }

  async function allFinal(queue: RedisStreamQueue, ids: string[], timeoutMs = 60_000): Promise<Task[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const tasks = await Promise.all(ids.map((id) => queue.get(id)));
      if (tasks.every((t) => t && ["completed", "failed", "cancelled"].includes(t.status)))
        return tasks as Task[];
      if (Date.now() > end)
        throw new Error(`tasks still active: ${tasks.filter((t) => t?.status === "in_progress").length}`);
      await sleep(50);
    }
  }

  async function effects(prefix: string): Promise<Record<string, number>> {
    const counts = await (client as Redis).hgetall(`${prefix}effects`);
    return Object.fromEntries(Object.entries(counts).map(([id, n]) => [id, Number(n)]));
  }

  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "runs every task exactly once across 3 worker processes",
    async () => {
      const prefix = "once:";
      const { queue } = await setup(prefix, 3, 2);
      const ids: string[] = [];
      for (let i = 0; i < 90; i++) {
        ids.push(
          (await queue.submit({ label: "mem_read", user_id: `u${i % 5}`, cube_id: "c", payload: { ms: 20 } }))
            .task.task_id,
        );
      }
      const tasks = await allFinal(queue, ids);
      expect(tasks.map((t) => t.status)).toEqual(Array(90).fill("completed"));
      const done = await effects(prefix);
      expect(ids.map((id) => done[id])).toEqual(Array(90).fill(1));
      // The work really was shared between the processes.
      const byWorker = new Set(tasks.map((t) => (t.result as { worker: string }).worker));
      expect(byWorker).toEqual(new Set(["w0", "w1", "w2"]));
      expect(await queue.stats()).toMatchObject({
        by_status: { completed: 90, waiting: 0, in_progress: 0 },
        active_by_user: {},
      });
    },
    120_000,
  );

  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "re-delivers the tasks of a worker killed with SIGKILL to the others",
    async () => {
      const prefix = "kill:";
      const {
        queue,
        workers: [victim],
      } = await setup(prefix, 3, 2);
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        ids.push(
          (
            await queue.submit({
              label: "mem_organize",
              user_id: `u${i % 3}`,
              cube_id: "c",
              payload: { ms: 400 },
            })
          ).task.task_id,
        );
      }
      const heldBy = async (name: string) =>
        (await queue.list({ status: "in_progress" })).filter((t) => t.worker === name);
      const end = Date.now() + 30_000;
      while ((await heldBy("w0")).length === 0 && Date.now() < end) await sleep(20);
      await victim?.kill();
      await sleep(100);
      const orphaned = (await heldBy("w0")).map((t) => t.task_id);
      expect(orphaned.length).toBeGreaterThan(0);

      const tasks = await allFinal(queue, ids);
      expect(tasks.map((t) => t.status)).toEqual(Array(30).fill("completed"));
      for (const task of tasks.filter((t) => orphaned.includes(t.task_id))) {
        expect(task.worker).not.toBe("w0");
        expect(task.attempts).toBeGreaterThanOrEqual(2);
      }
      const done = await effects(prefix);
      // At least once: the killed worker may have recorded its effect just before dying.
      for (const id of ids) expect(orphaned.includes(id) ? [1, 2] : [1]).toContain(done[id]);
    },
    120_000,
  );

  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "puts a poison task in the dead letter after max_attempts, while the rest complete",
    async () => {
      const prefix = "poison:";
      const { queue } = await setup(prefix, 3, 1);
      const poison = await queue.submit({
        label: "pref_add",
        user_id: "u",
        cube_id: "c",
        payload: { poison: true },
        max_attempts: 3,
      });
      const fine = await queue.submit({ label: "pref_add", user_id: "u", cube_id: "c", payload: {} });
      const [dead, ok] = await allFinal(queue, [poison.task.task_id, fine.task.task_id]);
      expect(dead).toMatchObject({
        status: "failed",
        dead_letter: true,
        attempts: 3,
        error: { code: "provider" },
      });
      expect(dead?.error?.message).toContain("poison");
      expect(ok).toMatchObject({ status: "completed" });
      const letters = await (client as Redis).xrange(`${prefix}dead`, "-", "+");
      expect(letters.map(([, fields]) => fields[1])).toEqual([poison.task.task_id]);
      expect((await queue.stats()).dead_letter).toBe(1);
      expect((await effects(prefix))[poison.task.task_id]).toBeUndefined();
    },
    120_000,
  );
});
