/**
 * MemScheduler with MOS on the local queue: an async add returns before its fine pass runs (proved
 * by order: the model blocks until the test releases it), search finds the content before, during
 * and after the pass, `waitIdle` sees the fine memories replace the fast ones; a full queue still
 * acknowledges the add, shows the backpressure, and a sweep queues the fine pass later.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { PENDING_READ_TAG } from "../mos/background.js";
import { MOS } from "../mos/mos.js";
import { tempDir } from "../mos/test-helpers.js";
import { fineModel, gatedModel } from "./handlers/test-helpers.js";
import { createMosScheduler } from "./mos-scheduler.js";

const PREFERENCES = {
  match: "List the user's explicit and implicit preferences.",
  reply: { explicit: [], implicit: [] },
};

const chat = (lines: string[]) =>
  lines.map((content, i) => ({
    role: i % 2 === 0 ? "user" : "assistant",
    speaker: i % 2 === 0 ? "Ida" : "Jon",
    content,
    chat_time: `2024-03-01T10:0${i}:00Z`,
    message_id: `m${i}`,
  }));

async function searchIds(mos: MOS, query: string): Promise<TextualMemoryItem[]> {
  const r = await mos.search({ userId: "ida", query, topK: 5 });
  return r.text_mem.flatMap((c) => c.memories);
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("MemScheduler with MOS (local queue)", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(options: Parameters<typeof createMosScheduler>[1] = {}) {
    const t = tempDir("memos-sched-");
    const llm = gatedModel(fineModel([PREFERENCES]));
    const mos = await MOS.init({ home: t.dir, user: "ida", llm });
    const scheduler = await createMosScheduler(mos, { pollMs: 20, ...options });
    cleanups.push(
      t.cleanup,
      () => mos.close(),
      () => scheduler.close({ timeoutMs: 2000 }),
    );
    return { mos, scheduler, llm };
  }

  it("an async fine add returns with its fast memories before the fine pass; wait sees fine replace fast", async () => {
    const { mos, scheduler, llm } = await setup({ worker: { concurrency: 1 } });
    const added = await mos.add({
      userId: "ida",
      messages: chat(["I grow tomatoes in my garden", "Do they need much water?", "Every evening in summer"]),
      mode: "fine",
      asyncMode: "async",
    });
    // The model answers nothing until released, so whatever the add returned came before the fine pass.
    expect(added.memories.length).toBeGreaterThan(0);
    expect(added.memories.every((m) => m.metadata.tags.includes("mode:fast"))).toBe(true);
    expect(added.tasks?.map((t) => t.label)).toEqual(["mem_read", "pref_add"]);
    const fastIds = added.memories.map((m) => m.id);
    expect((await searchIds(mos, "tomatoes garden")).map((m) => m.id)).toContain(fastIds[0]);

    // The worker has claimed the fine pass and waits on the model: the fast memories still answer.
    await until(() => llm.waiting > 0, "the fine pass to reach the model");
    const during = await scheduler.status("ida");
    expect(during.active).toBeGreaterThan(0);
    expect(during.tasks.find((t) => t.label === "mem_read")?.status).toBe("in_progress");
    expect((await searchIds(mos, "tomatoes garden")).map((m) => m.id)).toContain(fastIds[0]);

    llm.release();
    const progress: number[] = [];
    const waited = await scheduler.waitIdle("ida", 30_000, (n) => progress.push(n));
    expect(waited).toMatchObject({ idle: true, active: 0 });
    expect(progress.at(-1)).toBe(0);

    const after = await searchIds(mos, "tomatoes garden");
    expect(after.map((m) => m.id)).not.toContain(fastIds[0]);
    expect(after.some((m) => m.memory.includes("(fine)") && m.memory.includes("tomatoes"))).toBe(true);
    const done = await scheduler.status("ida");
    const read = done.tasks.find((t) => t.label === "mem_read");
    expect(read).toMatchObject({ status: "completed", attempts: 1 });
    const upgraded = (read?.result as { upgraded: { from: string }[] } | undefined)?.upgraded ?? [];
    expect(upgraded.map((u) => u.from).sort()).toEqual([...fastIds].sort());
    expect(done.counts).toMatchObject({ completed: 2, waiting: 0, in_progress: 0, failed: 0 });
  });

  it("a full queue still acknowledges the add: fast memories searchable and tagged, backpressure in status, a sweep queues them later", async () => {
    const { mos, scheduler } = await setup({ worker: false, queueOptions: { capacity: 1 } });
    const filler = await scheduler.submit({
      label: "query",
      user_id: "ida",
      cube_id: "ida/default",
      payload: { query: "x" },
    });
    const added = await mos.add({
      userId: "ida",
      messages: chat(["My bike is a green Brompton"]),
      mode: "fine",
      asyncMode: "async",
    });
    expect(added.backpressure).toMatchObject({ code: "queue_full", pending: added.memories.length });
    expect(added.tasks).toEqual([]);
    const ids = added.memories.map((m) => m.id);
    const stored = await mos.get(ids[0] as string, { userId: "ida" });
    expect(stored.memory.metadata.tags).toContain(PENDING_READ_TAG);
    expect((await searchIds(mos, "green Brompton bike")).map((m) => m.id)).toContain(ids[0]);

    const status = await scheduler.status("ida");
    expect(status.backpressure).toMatchObject({ capacity: 1, full: true, pending_cubes: 1 });
    expect(status.backpressure.rejected_full).toBeGreaterThanOrEqual(1);

    // Still full: the sweep leaves them pending.
    expect(await scheduler.sweep()).toBe(0);
    expect(await scheduler.queue.cancel(filler.task.task_id)).toBe(true);
    expect(await scheduler.sweep()).toBe(ids.length);
    const queued = (await scheduler.status("ida", { status: "waiting" })).tasks;
    expect(queued).toEqual([expect.objectContaining({ label: "mem_read", payload: { memory_ids: ids } })]);
    expect((await mos.get(ids[0] as string, { userId: "ida" })).memory.metadata.tags).not.toContain(
      PENDING_READ_TAG,
    );
    expect((await scheduler.status("ida")).backpressure.pending_cubes).toBe(0);
  });

  it("waitIdle times out with the count still active when no worker runs; status keeps each user's tasks apart", async () => {
    const { mos, scheduler } = await setup({ worker: false });
    await mos.createUser("bob");
    await scheduler.submit({
      label: "query",
      user_id: "ida",
      cube_id: "ida/default",
      payload: { query: "q" },
    });
    const r = await scheduler.waitIdle("ida", 150);
    expect(r).toMatchObject({ idle: false, active: 1 });
    expect(r.waitedMs).toBeGreaterThanOrEqual(140);
    expect(await scheduler.waitIdle("bob", 1000)).toMatchObject({ idle: true, active: 0 });
    expect((await scheduler.status("bob")).tasks).toEqual([]);
    expect(await scheduler.summary()).toMatchObject({ waiting: 1, total: 1 });
  });

  it("a label registered later (mem_feedback, when the server brings its applier) is run by the worker already started", async () => {
    const { scheduler } = await setup({ worker: { concurrency: 1 } });
    expect(scheduler.labels).not.toContain("mem_feedback");
    scheduler.register("mem_feedback", async (task) => ({ rebuilt: task.cube_id }));
    const { task } = await scheduler.submit({
      label: "mem_feedback",
      user_id: "ida",
      cube_id: "ida/default",
      payload: {},
    });
    expect((await scheduler.waitIdle("ida", 10_000)).idle).toBe(true);
    expect(await scheduler.task("ida", task.task_id)).toMatchObject({
      status: "completed",
      result: { rebuilt: "ida/default" },
    });
    expect(await scheduler.task("bob", task.task_id)).toBeUndefined();
  });
});
