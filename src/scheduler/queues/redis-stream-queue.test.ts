import type { Redis } from "ioredis";
import { afterAll, describe, expect } from "vitest";
import { REDIS_HOW_TO, REDIS_SERVER_BIN, useRedisServer } from "../../../test/support/redis.js";
import { itWithService } from "../../../test/support/services.js";
import { QueueFullError } from "../../core/errors/queue-full-error.js";
import { runQueueConformance } from "../../testing/queue-conformance.js";
import { createRedisStreamQueue, type RedisStreamQueue } from "./redis-stream-queue.js";

const redis = useRedisServer();
const url = () => redis.url();

if (REDIS_SERVER_BIN) {
  runQueueConformance("redis streams", ({ namespace, ...options }) =>
    createRedisStreamQueue({ url: url(), prefix: `${namespace}:`, ...options }),
  );
} else {
  itWithService("redis-server", false, REDIS_HOW_TO, "TaskQueue conformance: redis streams", () => {});
}

describe("RedisStreamQueue", () => {
  const opened: RedisStreamQueue[] = [];
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const queue of opened) await queue.close();
    for (const client of clients) await client.quit();
  });
  async function open(prefix: string, options: { capacity?: number; maxAttempts?: number } = {}) {
    const queue = await createRedisStreamQueue({ url: url(), prefix, ...options });
    opened.push(queue);
    return queue;
  }
  async function raw(): Promise<Redis> {
    const { Redis } = await import("ioredis");
    const client = new Redis(url());
    clients.push(client);
    return client;
  }

  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "keeps one stream per user and a dead-letter stream",
    async () => {
      const queue = await open("layout:", { maxAttempts: 1 });
      const client = await raw();
      const a = await queue.submit({ label: "mem_read", user_id: "alice", cube_id: "c", payload: { x: 1 } });
      await queue.submit({ label: "mem_read", user_id: "bob", cube_id: "c", payload: {} });
      expect(await client.xlen("layout:q:alice")).toBe(1);
      expect(await client.xlen("layout:q:bob")).toBe(1);
      const [claimed] = await queue.claim("w", 1);
      expect(claimed?.user_id).toBe("alice");
      const pending = (await client.xpending("layout:q:alice", "workers")) as [number, ...unknown[]];
      expect(pending[0]).toBe(1);
      await queue.fail(a.task.task_id, "w", { code: "provider", message: "no" });
      // Acknowledged and removed from the user's stream; recorded in the dead letter.
      expect(await client.xlen("layout:q:alice")).toBe(0);
      expect(((await client.xpending("layout:q:alice", "workers")) as [number])[0]).toBe(0);
      const dead = await client.xrange("layout:dead", "-", "+");
      expect(dead).toHaveLength(1);
      expect(dead[0]?.[1]).toEqual(expect.arrayContaining(["task", a.task.task_id, "user", "alice"]));
    },
  );

  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "shows backpressure to every process: capacity and refusals in stats",
    async () => {
      const producer = await open("full:", { capacity: 2 });
      const observer = await open("full:", { capacity: 2 });
      await producer.submit({ label: "add", user_id: "u", cube_id: "c", payload: {} });
      await producer.submit({ label: "add", user_id: "u", cube_id: "c", payload: {} });
      await expect(
        producer.submit({ label: "add", user_id: "u", cube_id: "c", payload: {} }),
      ).rejects.toSatisfy(QueueFullError.isInstance);
      expect(await observer.stats()).toMatchObject({
        capacity: 2,
        rejected_full: 1,
        active_by_user: { u: 2 },
      });
    },
  );

  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "keeps users with colons in their ids apart",
    async () => {
      const queue = await open("colon:");
      const one = await queue.submit({
        label: "add",
        user_id: "a:b",
        cube_id: "c",
        payload: {},
        idempotency_key: "c",
      });
      const two = await queue.submit({
        label: "add",
        user_id: "a",
        cube_id: "c",
        payload: {},
        idempotency_key: "b:c",
      });
      expect(two.duplicate).toBe(false);
      expect(two.task.task_id).not.toBe(one.task.task_id);
    },
  );
});

describe("createRedisStreamQueue", () => {
  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "names the URL it cannot reach, without its password",
    async () => {
      const port = redis.port() + 1;
      const error = await createRedisStreamQueue({ url: `redis://user:secret@127.0.0.1:${port}` }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: "storage", hint: expect.stringContaining("MEMOS_REDIS_URL") });
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect((error as Error).message).not.toContain("secret");
    },
  );
});
