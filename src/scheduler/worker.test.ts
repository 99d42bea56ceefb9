import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { ProviderError } from "../core/errors/provider-error.js";
import type { TaskHandlers } from "./handlers.js";
import { LocalQueue, type LocalQueueOptions } from "./queues/local-queue.js";
import type { TaskInput } from "./types.js";
import { TaskWorker, type TaskWorkerEvent, type TaskWorkerOptions } from "./worker.js";

const dir = mkdtempSync(join(tmpdir(), "memos-worker-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

let n = 0;
function queue(options: LocalQueueOptions = {}): LocalQueue {
  const q = new LocalQueue(join(dir, `q${n++}.db`), options);
  cleanup.push(() => q.close());
  return q;
}

function worker(options: Omit<TaskWorkerOptions, "name"> & { name?: string }): {
  worker: TaskWorker;
  events: TaskWorkerEvent[];
} {
  const events: TaskWorkerEvent[] = [];
  const w = new TaskWorker({ name: "w1", blockMs: 200, ...options, onEvent: (e) => events.push(e) });
  cleanup.push(() => w.stop({ mode: "release" }));
  w.start();
  return { worker: w, events };
}

const task = (extra: Partial<TaskInput> = {}): TaskInput => ({
  label: "mem_read",
  user_id: "u",
  cube_id: "c",
  payload: {},
  ...extra,
});

async function until<T>(probe: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error("condition not reached");
    await sleep(20);
  }
}

const finished = (q: LocalQueue, id: string) =>
  until(async () => {
    const t = await q.get(id);
    return t && ["completed", "failed", "cancelled"].includes(t.status) ? t : undefined;
  });

describe("TaskWorker", () => {
  it("runs each task with its label's handler, records the result, and never exceeds its concurrency", async () => {
    const q = queue();
    let now = 0;
    let peak = 0;
    const handlers: TaskHandlers = {
      mem_read: async (t) => {
        now++;
        peak = Math.max(peak, now);
        await sleep(30);
        now--;
        return { doubled: (t.payload as { i: number }).i * 2 };
      },
    };
    const ids = [];
    for (let i = 0; i < 12; i++)
      ids.push((await q.submit(task({ payload: { i }, user_id: `u${i % 3}` }))).task.task_id);
    const { events } = worker({ queue: q, handlers, concurrency: 3 });
    const done = await Promise.all(ids.map((id) => finished(q, id)));
    expect(done.map((t) => t.status)).toEqual(Array(12).fill("completed"));
    expect(done.map((t) => t.result)).toEqual(Array.from({ length: 12 }, (_, i) => ({ doubled: i * 2 })));
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    expect(events.filter((e) => e.type === "completed")).toHaveLength(12);
  });

  it("retries a failing task and dead-letters it with the error's code and message, never a stack", async () => {
    const q = queue({ maxAttempts: 3 });
    let calls = 0;
    const { events } = worker({
      queue: q,
      handlers: {
        mem_read: async () => {
          calls++;
          throw new ProviderError({
            message: "the LLM answered 503",
            hint: "retry later",
            provider: "openai",
          });
        },
      },
    });
    const { task: t } = await q.submit(task());
    const dead = await finished(q, t.task_id);
    expect(calls).toBe(3);
    expect(dead).toMatchObject({
      status: "failed",
      dead_letter: true,
      attempts: 3,
      error: { code: "provider", hint: "retry later" },
    });
    expect(dead.error?.message).toContain("503");
    expect(JSON.stringify(dead.error)).not.toMatch(/\n\s+at /);
    expect(events.filter((e) => e.type === "failed").map((e) => (e as { outcome: string }).outcome)).toEqual([
      "retrying",
      "retrying",
      "dead",
    ]);
  });

  it("does not retry what a retry cannot fix: bad input, a label without a handler", async () => {
    const q = queue();
    let calls = 0;
    worker({
      queue: q,
      handlers: {
        mem_read: async () => {
          calls++;
          throw new InvalidInputError({ message: "payload lacks ids", hint: "pass ids" });
        },
      },
    });
    const bad = await q.submit(task());
    const orphan = await q.submit(task({ label: "act_mem_update" }));
    expect(await finished(q, bad.task.task_id)).toMatchObject({
      status: "failed",
      attempts: 1,
      error: { code: "invalid_input" },
    });
    expect(await finished(q, orphan.task.task_id)).toMatchObject({
      status: "failed",
      attempts: 1,
      dead_letter: true,
      error: { code: "unknown_label" },
    });
    expect(calls).toBe(1);
  });

  it("records a plain Error as internal with its message only", async () => {
    const q = queue({ maxAttempts: 1 });
    worker({ queue: q, handlers: { mem_read: async () => Promise.reject(new TypeError("x is undefined")) } });
    const { task: t } = await q.submit(task());
    expect((await finished(q, t.task_id)).error).toEqual({ code: "internal", message: "x is undefined" });
  });

  it("heartbeats a task longer than the visibility timeout, so no other worker runs it", async () => {
    const q = queue({ visibilityTimeoutMs: 300 });
    const runs: string[] = [];
    const slow: TaskHandlers = {
      mem_organize: async (_t, ctx) => {
        runs.push("run");
        await sleep(900);
        return ctx.signal.aborted ? "aborted" : "ok";
      },
    };
    worker({ queue: q, handlers: slow, heartbeatMs: 60, name: "a" });
    worker({ queue: q, handlers: slow, heartbeatMs: 60, name: "b" });
    const { task: t } = await q.submit(task({ label: "mem_organize" }));
    expect(await finished(q, t.task_id)).toMatchObject({ status: "completed", attempts: 1, result: "ok" });
    expect(runs).toHaveLength(1);
  });

  it("aborts a handler whose claim was lost and drops its outcome", async () => {
    const q = queue({ visibilityTimeoutMs: 200 });
    let signal: AbortSignal | undefined;
    const { events } = worker({
      queue: q,
      heartbeatMs: 1000, // slower than the visibility timeout: the claim expires under it
      handlers: {
        mem_read: async (_t, ctx) => {
          signal = ctx.signal;
          await sleep(1300);
          return "late";
        },
      },
    });
    const { task: t } = await q.submit(task());
    await until(async () => signal);
    await sleep(300);
    const [stolen] = await q.claim("thief", 1);
    expect(stolen?.task_id).toBe(t.task_id);
    await q.complete(t.task_id, "thief", "thief's");
    await until(async () => signal?.aborted);
    await until(async () => events.some((e) => e.type === "lost"));
    expect(await q.get(t.task_id)).toMatchObject({
      status: "completed",
      worker: "thief",
      result: "thief's",
      attempts: 2,
    });
  });

  it("lets a handler queue a follow-up task", async () => {
    const q = queue();
    worker({
      queue: q,
      handlers: {
        mem_read: async (t, ctx) => {
          const next = await ctx.submit({
            ...task({ label: "mem_organize" }),
            idempotency_key: `organize-${t.task_id}`,
          });
          return next.task.task_id;
        },
        mem_organize: async () => "organized",
      },
    });
    const { task: t } = await q.submit(task());
    const first = await finished(q, t.task_id);
    expect(await finished(q, first.result as string)).toMatchObject({
      label: "mem_organize",
      result: "organized",
    });
  });

  it("stops gracefully: finishes a running task, or releases it unrun-counted on release", async () => {
    const q = queue();
    let started = 0;
    const handlers: TaskHandlers = {
      mem_read: async (_t, ctx) => {
        started++;
        await Promise.race([sleep(400), new Promise((r) => ctx.signal.addEventListener("abort", r))]);
        return ctx.signal.aborted ? "aborted" : "finished";
      },
    };
    const a = await q.submit(task());
    const first = worker({ queue: q, handlers, name: "finisher" }).worker;
    await until(async () => started === 1);
    await first.stop();
    expect(await q.get(a.task.task_id)).toMatchObject({ status: "completed", result: "finished" });

    const b = await q.submit(task());
    const { worker: second, events } = worker({ queue: q, handlers, name: "releaser" });
    await until(async () => started === 2);
    await second.stop({ mode: "release" });
    expect(await q.get(b.task.task_id)).toMatchObject({ status: "waiting", attempts: 0 });
    expect(events.some((e) => e.type === "released")).toBe(true);
    expect(second.status().completed).toBe(0);
    expect(second.started).toBe(false);
  });

  it("reports a queue outage as an event and keeps going", async () => {
    const q = queue();
    let fail = true;
    const flaky = Object.create(q) as LocalQueue;
    flaky.claim = async (...args) => {
      if (fail) {
        fail = false;
        throw new Error("connection reset");
      }
      return q.claim(...args);
    };
    const { events } = worker({ queue: flaky, handlers: { mem_read: async () => "ok" }, errorBackoffMs: 50 });
    const { task: t } = await q.submit(task());
    expect(await finished(q, t.task_id)).toMatchObject({ status: "completed" });
    expect(events[0]).toEqual({
      type: "queue_error",
      error: { code: "internal", message: "connection reset" },
    });
  });

  it("refuses a nonsense configuration", () => {
    const q = queue();
    expect(() => new TaskWorker({ queue: q, handlers: {}, name: "w", concurrency: 0 })).toThrow(
      /concurrency/,
    );
    expect(() => new TaskWorker({ queue: q, handlers: {}, name: "" })).toThrow(/name/);
  });
});
