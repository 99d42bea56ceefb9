/**
 * The TaskQueue conformance suite. Every queue (local SQLite, Redis Streams, a third party's)
 * runs it, so the scheduler can rely on one set of semantics: at-least-once delivery, per-user
 * idempotency, round-robin fairness, retries then the dead letter, cancel, a bounded queue,
 * re-delivery of expired claims and a restart that resumes. Vitest is its only test-framework
 * import; call it from a vitest test file.
 *
 * @example
 * runQueueConformance("local", async ({ namespace, ...options }) => new LocalQueue(join(dir, `${namespace}.db`), options));
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { QueueFullError } from "../core/errors/queue-full-error.js";
import type { TaskInput, TaskQueue, TaskQueueOptions } from "../scheduler/types.js";

/** What the suite asks of a queue: its options, and a namespace (same namespace, same stored queue). */
export interface QueueConformanceConfig extends TaskQueueOptions {
  /** Queues opened with one namespace share their state (a file, a key prefix); a new one starts empty. */
  namespace: string;
}

/** Short enough for quick tests, long enough that a loaded machine does not expire live claims. */
const SHORT_VISIBILITY_MS = 400;

function input(user: string, extra: Partial<TaskInput> = {}): TaskInput {
  return { label: "mem_read", user_id: user, cube_id: `${user}-cube`, payload: { n: 1 }, ...extra };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Define the shared conformance suite for one TaskQueue.
 *
 * @param name shown in the test report
 * @param openQueue opens the queue stored under `config.namespace` with the given options; the
 *   suite closes every queue it opens
 */
export function runQueueConformance(
  name: string,
  openQueue: (config: QueueConformanceConfig) => Promise<TaskQueue>,
): void {
  describe(`TaskQueue conformance: ${name}`, () => {
    const opened: TaskQueue[] = [];
    let namespace = "";
    async function open(options: TaskQueueOptions = {}, ns = namespace): Promise<TaskQueue> {
      const queue = await openQueue({ namespace: ns, ...options });
      opened.push(queue);
      return queue;
    }
    afterEach(async () => {
      for (const queue of opened.splice(0)) await queue.close();
    });
    const fresh = () => {
      namespace = `conf-${randomUUID().slice(0, 8)}`;
    };

    it("submits, claims and completes a task, recording each step", async () => {
      fresh();
      const queue = await open();
      const { task, duplicate } = await queue.submit(input("alice", { payload: { text: "hi" } }));
      expect(duplicate).toBe(false);
      expect(task).toMatchObject({
        status: "waiting",
        attempts: 0,
        user_id: "alice",
        cube_id: "alice-cube",
        label: "mem_read",
      });
      expect(task.payload).toEqual({ text: "hi" });
      const [claimed, ...rest] = await queue.claim("w1", 5);
      expect(rest).toEqual([]);
      expect(claimed).toMatchObject({
        task_id: task.task_id,
        status: "in_progress",
        attempts: 1,
        worker: "w1",
      });
      expect(claimed?.started_at).toBeTruthy();
      expect(await queue.claim("w2", 5)).toEqual([]);
      await queue.complete(task.task_id, "w1", { written: 3 });
      const done = await queue.get(task.task_id);
      expect(done).toMatchObject({ status: "completed", result: { written: 3 } });
      expect(done?.finished_at).toBeTruthy();
      expect(await queue.get("no-such-task")).toBeUndefined();
    });

    it("rejects a bad submit with invalid_input", async () => {
      fresh();
      const queue = await open();
      await expect(queue.submit({ ...input("a"), label: "nope" as "add" })).rejects.toMatchObject({
        code: "invalid_input",
      });
      await expect(queue.submit(input(""))).rejects.toMatchObject({ code: "invalid_input" });
      await expect(queue.submit(input("a", { max_attempts: 0 }))).rejects.toMatchObject({
        code: "invalid_input",
      });
    });

    it("returns the first task for a repeated idempotency key of the same user, even once done", async () => {
      fresh();
      const queue = await open();
      const first = await queue.submit(input("alice", { idempotency_key: "k1" }));
      const again = await queue.submit(input("alice", { idempotency_key: "k1", payload: { other: true } }));
      expect(again.duplicate).toBe(true);
      expect(again.task.task_id).toBe(first.task.task_id);
      const otherUser = await queue.submit(input("bob", { idempotency_key: "k1" }));
      expect(otherUser.duplicate).toBe(false);
      const claimed = await queue.claim("w", 10);
      expect(claimed).toHaveLength(2);
      await queue.complete(first.task.task_id, "w");
      const late = await queue.submit(input("alice", { idempotency_key: "k1" }));
      expect(late).toMatchObject({
        duplicate: true,
        task: { task_id: first.task.task_id, status: "completed" },
      });
    });

    it("serves users in turn, so a heavy user cannot starve the others, and each user in order", async () => {
      fresh();
      const queue = await open();
      const heavy: string[] = [];
      for (let i = 0; i < 12; i++)
        heavy.push((await queue.submit(input("heavy", { payload: { i } }))).task.task_id);
      await queue.submit(input("light1"));
      await queue.submit(input("light2"));
      const firstThree = [];
      for (let i = 0; i < 3; i++) firstThree.push(...(await queue.claim("w", 1)));
      expect(new Set(firstThree.map((t) => t.user_id))).toEqual(new Set(["heavy", "light1", "light2"]));
      const rest = await queue.claim("w", 20);
      expect(rest.every((t) => t.user_id === "heavy")).toBe(true);
      const heavyOrder = [...firstThree, ...rest].filter((t) => t.user_id === "heavy").map((t) => t.task_id);
      expect(heavyOrder).toEqual(heavy);
    });

    it("retries a failed task, then puts it in the dead letter after max_attempts", async () => {
      fresh();
      const queue = await open({ maxAttempts: 2 });
      const { task } = await queue.submit(input("alice"));
      await queue.claim("w", 1);
      expect(await queue.fail(task.task_id, "w", { code: "provider", message: "LLM timed out" })).toBe(
        "retrying",
      );
      expect(await queue.get(task.task_id)).toMatchObject({ status: "waiting", error: { code: "provider" } });
      const [second] = await queue.claim("w", 1);
      expect(second?.attempts).toBe(2);
      expect(await queue.fail(task.task_id, "w", { code: "provider", message: "again" })).toBe("dead");
      expect(await queue.get(task.task_id)).toMatchObject({
        status: "failed",
        dead_letter: true,
        attempts: 2,
        error: { code: "provider", message: "again" },
      });
      expect(await queue.claim("w", 1)).toEqual([]);
      expect((await queue.stats()).dead_letter).toBe(1);
    });

    it("dead-letters at once when told not to retry, and reports a fail by a non-holder as lost", async () => {
      fresh();
      const queue = await open();
      const { task } = await queue.submit(input("alice"));
      await queue.claim("w", 1);
      expect(await queue.fail(task.task_id, "intruder", { code: "x", message: "y" })).toBe("lost");
      expect(
        await queue.fail(
          task.task_id,
          "w",
          { code: "invalid_input", message: "bad payload" },
          { retry: false },
        ),
      ).toBe("dead");
      expect(await queue.get(task.task_id)).toMatchObject({
        status: "failed",
        dead_letter: true,
        attempts: 1,
      });
    });

    it("cancels a waiting task but not one that started", async () => {
      fresh();
      const queue = await open();
      const a = (await queue.submit(input("alice"))).task;
      const b = (await queue.submit(input("alice"))).task;
      expect(await queue.cancel(b.task_id)).toBe(true);
      expect(await queue.get(b.task_id)).toMatchObject({ status: "cancelled" });
      const claimed = await queue.claim("w", 5);
      expect(claimed.map((t) => t.task_id)).toEqual([a.task_id]);
      expect(await queue.cancel(a.task_id)).toBe(false);
      expect(await queue.cancel("no-such-task")).toBe(false);
    });

    it("skips a user whose only task was cancelled and serves the next one", async () => {
      fresh();
      const queue = await open();
      const gone = (await queue.submit(input("anna"))).task;
      const next = (await queue.submit(input("bert"))).task;
      await queue.cancel(gone.task_id);
      expect((await queue.claim("w", 1)).map((t) => t.task_id)).toEqual([next.task_id]);
    });

    it("refuses submits beyond capacity with QueueFullError and counts them", async () => {
      fresh();
      const queue = await open({ capacity: 3 });
      const ids = [];
      for (let i = 0; i < 3; i++)
        ids.push((await queue.submit(input(`u${i}`, { idempotency_key: `k${i}` }))).task.task_id);
      const refused = await queue.submit(input("u9")).catch((e: unknown) => e);
      expect(QueueFullError.isInstance(refused)).toBe(true);
      expect(refused).toMatchObject({ code: "queue_full" });
      // A repeat of a queued task is not new work: answered, not refused.
      expect((await queue.submit(input("u0", { idempotency_key: "k0" }))).duplicate).toBe(true);
      const stats = await queue.stats();
      expect(stats).toMatchObject({ capacity: 3, rejected_full: 1 });
      expect(stats.by_status.waiting).toBe(3);
      const [claimed] = await queue.claim("w", 1);
      await queue.complete(claimed?.task_id ?? "", "w");
      await expect(queue.submit(input("u9"))).resolves.toMatchObject({ duplicate: false });
    });

    it("delivers a task again when its holder stops heart-beating, and ignores the old holder", async () => {
      fresh();
      const queue = await open({ visibilityTimeoutMs: SHORT_VISIBILITY_MS });
      const { task } = await queue.submit(input("alice"));
      await queue.claim("dead-worker", 1);
      expect(await queue.claim("w2", 1)).toEqual([]);
      await sleep(SHORT_VISIBILITY_MS + 150);
      const [again] = await queue.claim("w2", 1);
      expect(again).toMatchObject({ task_id: task.task_id, attempts: 2, worker: "w2" });
      expect(await queue.heartbeat(task.task_id, "dead-worker")).toBe(false);
      await queue.complete(task.task_id, "dead-worker", "stale");
      expect(await queue.get(task.task_id)).toMatchObject({ status: "in_progress", worker: "w2" });
      await queue.complete(task.task_id, "w2", "fresh");
      expect(await queue.get(task.task_id)).toMatchObject({ status: "completed", result: "fresh" });
    });

    it("keeps a heart-beaten claim past the visibility timeout", async () => {
      fresh();
      const queue = await open({ visibilityTimeoutMs: SHORT_VISIBILITY_MS });
      const { task } = await queue.submit(input("alice"));
      await queue.claim("w1", 1);
      for (let i = 0; i < 4; i++) {
        await sleep(SHORT_VISIBILITY_MS / 4);
        expect(await queue.heartbeat(task.task_id, "w1")).toBe(true);
      }
      expect(await queue.claim("w2", 1)).toEqual([]);
      expect(await queue.get(task.task_id)).toMatchObject({
        status: "in_progress",
        worker: "w1",
        attempts: 1,
      });
    });

    it("dead-letters a task whose holders keep dying, after max_attempts deliveries", async () => {
      fresh();
      const queue = await open({ visibilityTimeoutMs: SHORT_VISIBILITY_MS, maxAttempts: 2 });
      const { task } = await queue.submit(input("alice"));
      await queue.claim("w1", 1);
      await sleep(SHORT_VISIBILITY_MS + 150);
      expect(await queue.claim("w2", 1)).toHaveLength(1);
      await sleep(SHORT_VISIBILITY_MS + 150);
      expect(await queue.claim("w3", 1)).toEqual([]);
      expect(await queue.get(task.task_id)).toMatchObject({
        status: "failed",
        dead_letter: true,
        error: { code: "worker_lost" },
      });
    });

    it("releases a claimed task unrun without counting the attempt", async () => {
      fresh();
      const queue = await open();
      const { task } = await queue.submit(input("alice"));
      await queue.claim("w1", 1);
      await queue.release(task.task_id, "w1");
      expect(await queue.get(task.task_id)).toMatchObject({ status: "waiting", attempts: 0 });
      const [again] = await queue.claim("w2", 1);
      expect(again).toMatchObject({ task_id: task.task_id, attempts: 1, worker: "w2" });
    });

    it("wakes a blocked claim when a task is submitted, and returns empty when none comes", async () => {
      fresh();
      const queue = await open();
      const started = Date.now();
      const pending = queue.claim("w", 1, { blockMs: 10_000 });
      await sleep(100);
      const { task } = await queue.submit(input("alice"));
      const claimed = await pending;
      expect(claimed.map((t) => t.task_id)).toEqual([task.task_id]);
      expect(Date.now() - started).toBeLessThan(9_000);
      expect(await queue.claim("w", 1, { blockMs: 200 })).toEqual([]);
      const controller = new AbortController();
      const aborted = queue.claim("w", 1, { blockMs: 10_000, signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      expect(await aborted).toEqual([]);
      expect(Date.now() - started).toBeLessThan(9_000);
    });

    it("lists newest first with filters and counts by status and user", async () => {
      fresh();
      const queue = await open();
      const a1 = (await queue.submit(input("alice"))).task;
      await sleep(5);
      const a2 = (await queue.submit(input("alice", { cube_id: "other" }))).task;
      await sleep(5);
      const b1 = (await queue.submit(input("bob"))).task;
      expect((await queue.list()).map((t) => t.task_id)).toEqual([b1.task_id, a2.task_id, a1.task_id]);
      expect((await queue.list({ user_id: "alice" })).map((t) => t.task_id)).toEqual([
        a2.task_id,
        a1.task_id,
      ]);
      expect((await queue.list({ user_id: "alice", cube_id: "other" })).map((t) => t.task_id)).toEqual([
        a2.task_id,
      ]);
      expect(await queue.list({ limit: 1 })).toHaveLength(1);
      const [claimed] = await queue.claim("w", 1);
      expect((await queue.list({ status: "in_progress" })).map((t) => t.task_id)).toEqual([claimed?.task_id]);
      const all = await queue.stats();
      expect(all.by_status).toEqual({ waiting: 2, in_progress: 1, completed: 0, failed: 0, cancelled: 0 });
      expect(all.active_by_user).toEqual({ alice: 2, bob: 1 });
      const bob = await queue.stats({ user_id: "bob" });
      expect(bob.active_by_user).toEqual({ bob: 1 });
      expect(bob.by_status.waiting + bob.by_status.in_progress).toBe(1);
    });

    it("never hands one task to two claimers at once", async () => {
      fresh();
      const q1 = await open();
      const q2 = await open();
      for (let i = 0; i < 30; i++) await q1.submit(input(`u${i % 3}`, { payload: { i } }));
      const batches = await Promise.all([
        ...Array.from({ length: 6 }, (_, i) => q1.claim(`a${i}`, 3)),
        ...Array.from({ length: 6 }, (_, i) => q2.claim(`b${i}`, 3)),
      ]);
      const ids = batches.flat().map((t) => t.task_id);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
    });

    it("forgets finished tasks after their retention, and their idempotency keys with them", async () => {
      fresh();
      const queue = await open({ retentionMs: 300 });
      const done = (await queue.submit(input("alice", { idempotency_key: "once" }))).task;
      const cancelled = (await queue.submit(input("alice"))).task;
      await queue.claim("w", 1);
      await queue.complete(done.task_id, "w");
      await queue.cancel(cancelled.task_id);
      await sleep(150);
      const waiting = (await queue.submit(input("bob"))).task;
      await sleep(250);
      await queue.claim("w", 1, { blockMs: 100 }); // the queue prunes as it claims
      expect(await queue.get(done.task_id)).toBeUndefined();
      expect(await queue.get(cancelled.task_id)).toBeUndefined();
      expect(await queue.get(waiting.task_id)).toMatchObject({ status: "in_progress" });
      expect((await queue.list()).map((t) => t.task_id)).toEqual([waiting.task_id]);
      expect((await queue.stats()).by_status).toMatchObject({ completed: 0, cancelled: 0, in_progress: 1 });
      expect((await queue.submit(input("alice", { idempotency_key: "once" }))).duplicate).toBe(false);
    });

    it("resumes after a restart: waiting tasks stay queued, an abandoned claim is delivered again", async () => {
      fresh();
      const before = await open({ visibilityTimeoutMs: SHORT_VISIBILITY_MS });
      const running = (await before.submit(input("alice"))).task;
      await before.claim("crashed", 1);
      const waiting = (await before.submit(input("alice", { idempotency_key: "later" }))).task;
      await before.close();
      const after = await open({ visibilityTimeoutMs: SHORT_VISIBILITY_MS });
      expect(await after.get(waiting.task_id)).toMatchObject({ status: "waiting" });
      expect((await after.submit(input("alice", { idempotency_key: "later" }))).duplicate).toBe(true);
      await sleep(SHORT_VISIBILITY_MS + 150);
      const claimed = await after.claim("w", 5);
      expect(claimed.map((t) => t.task_id).sort()).toEqual([running.task_id, waiting.task_id].sort());
      expect(claimed.find((t) => t.task_id === running.task_id)?.attempts).toBe(2);
    });
  });
}
