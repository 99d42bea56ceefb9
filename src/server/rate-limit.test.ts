import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit.js";
import { TaskTracker } from "./tasks.js";

describe("RateLimiter", () => {
  it("allows a minute's worth in a burst, then refills at perMinute/60 per second", () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60 }, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take("k").ok).toBe(true);
    expect(limiter.take("k")).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take("other").ok).toBe(true);
    now += 1000;
    expect(limiter.take("k").ok).toBe(true);
    expect(limiter.take("k").ok).toBe(false);
  });
});

describe("TaskTracker", () => {
  it("runs a user's tasks in order, records failures with their code, and waits until idle", async () => {
    const tasks = new TaskTracker();
    const order: number[] = [];
    const slow = tasks.submit("u", "add", async () => {
      await new Promise((r) => setTimeout(r, 30));
      order.push(1);
    });
    const failing = tasks.submit("u", "add", async () => {
      order.push(2);
      throw Object.assign(new Error("no LLM"), { code: "config", hint: "set MEMOS_LLM" });
    });
    expect(tasks.active("u")).toBe(2);
    const r = await tasks.waitIdle("u", 5000);
    expect(r).toMatchObject({ idle: true, active: 0 });
    expect(order).toEqual([1, 2]);
    expect(tasks.get(slow)?.status).toBe("completed");
    expect(tasks.get(failing)).toMatchObject({
      status: "failed",
      error: { code: "config", message: "no LLM", hint: "set MEMOS_LLM" },
    });
    expect(tasks.summary()).toMatchObject({ completed: 1, failed: 1, total: 2 });
    expect(tasks.ofUser("someone else")).toEqual([]);
  });

  it("waitIdle times out while a task runs", async () => {
    const tasks = new TaskTracker();
    let release!: () => void;
    tasks.submit("u", "add", () => new Promise<void>((r) => (release = r)));
    expect(await tasks.waitIdle("u", 20)).toMatchObject({ idle: false, active: 1 });
    release();
    await tasks.drain();
  });
});
