/**
 * The scheduler over REST: an async fine add is a task whose fast memories answer search while
 * the fine pass waits, `wait` then sees the fine memories; `allstatus` gives the caller's counts,
 * per-user counts to admins only, and the queue's backpressure; a full queue still acknowledges
 * an add (its fast memories stored and searchable) and the backpressure shows.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  type Reply,
  type ServerFixture,
  serverFixture,
  sseFrames,
} from "../../test/support/server-fixture.js";
import { createApiKey } from "../mos/api-keys.js";
import { fineModel, gatedModel } from "../scheduler/handlers/test-helpers.js";
import { createLocalMosScheduler } from "../scheduler/mos-scheduler.js";

const PREFERENCES = {
  match: "List the user's explicit and implicit preferences.",
  reply: { explicit: [], implicit: [] },
};

let f: ServerFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const memoriesOf = (r: Reply | undefined): { id: string; memory: string }[] =>
  (r?.body.data.text_mem ?? []).flatMap((c: { memories: { id: string; memory: string }[] }) => c.memories);

describe("scheduler over REST", () => {
  it("an async fine add: task ids at once, fast memories searchable during the fine pass, fine ones after wait", async () => {
    const llm = gatedModel(fineModel([PREFERENCES]));
    f = await serverFixture({ llm });
    const r = await f.call("POST", "/product/add", {
      user_id: "bob",
      messages: [
        {
          role: "user",
          content: "I keep bees on the roof of my building",
          chat_time: "2024-05-01T09:00:00Z",
        },
      ],
      mode: "fine",
      async_mode: "async",
    });
    expect(r.body.data).toEqual([{ task_id: expect.any(String), status: "waiting", cube_id: "bob/default" }]);
    const search = () => f?.call("POST", "/product/search", { user_id: "bob", query: "bees roof", top_k: 3 });

    // The add task commits fast memories and queues mem_read, which blocks on the model.
    for (let i = 0; i < 400 && llm.waiting === 0; i++) await new Promise((res) => setTimeout(res, 25));
    expect(llm.waiting).toBeGreaterThan(0);
    const during = memoriesOf(await search());
    expect(during[0]?.memory).toContain("bees");
    expect(during[0]?.memory).not.toContain("(fine)");
    const status = await f.call("GET", "/product/scheduler/status?user_id=bob");
    const labels = status.body.data.map((t: { label: string; status: string }) => `${t.label}:${t.status}`);
    expect(labels).toContain("add:completed");
    expect(labels).toContain("mem_read:in_progress");

    llm.release();
    const w = await f.call("POST", "/product/scheduler/wait?user_name=bob&timeout_seconds=30");
    expect(w.body).toMatchObject({ message: "idle", data: { running_tasks: 0, timed_out: false } });
    const after = memoriesOf(await search());
    expect(after[0]?.memory).toContain("(fine)");
    expect(after.map((m) => m.id)).not.toContain(during[0]?.id);
  });

  it("allstatus: the caller's counts and backpressure; per-user counts for admins only; a full queue still acknowledges the add", async () => {
    f = await serverFixture({
      scheduler: (mos) => createLocalMosScheduler(mos, { worker: false, queueOptions: { capacity: 2 } }),
    });
    const bob = createApiKey(f.mos.home.registry, "bob").key;
    const carol = createApiKey(f.mos.home.registry, "carol").key;
    const admin = createApiKey(f.mos.home.registry, "alice").key;
    const add = (key: string, content: string) =>
      f?.call("POST", "/product/add", { messages: content, async_mode: "async" }, key) as Promise<{
        body: { message: string; data: Record<string, string>[] };
      }>;
    expect((await add(bob, "bob's first note")).body.data[0]).toMatchObject({ status: "waiting" });
    expect((await add(carol, "carol's note")).body.data[0]).toMatchObject({ status: "waiting" });

    // Full: acknowledged with the memories themselves, stored now.
    const full = await add(bob, "Bob parks his van on Rua Augusta");
    expect(full.body.message).toMatch(/queue is full/);
    expect(full.body.data[0]).toMatchObject({
      memory: expect.stringContaining("Rua Augusta"),
      cube_id: "bob/default",
    });
    const found = await f.call(
      "POST",
      "/product/search",
      { query: "where does Bob park his van?", top_k: 1 },
      bob,
    );
    expect(memoriesOf(found)[0]?.memory).toContain("Rua Augusta");

    const mine = await f.call("GET", "/product/scheduler/allstatus", undefined, bob);
    expect(mine.body.data).toMatchObject({
      queue: "local",
      user_id: "bob",
      user_summary: { waiting: 1, total: 1 },
      all_tasks_summary: { waiting: 1 },
      active_by_user: { bob: 1 },
      backpressure: { capacity: 2, active: 2, full: true },
    });
    expect(mine.body.data.backpressure.rejected_full).toBeGreaterThanOrEqual(1);
    expect(mine.body.data.worker).toBeUndefined();
    const all = await f.call("GET", "/product/scheduler/allstatus", undefined, admin);
    expect(all.body.data.active_by_user).toEqual({ bob: 1, carol: 1 });
    expect(all.body.data.all_tasks_summary).toMatchObject({ waiting: 2, total: 2 });

    // status lists the caller's tasks without their payloads; a status filter narrows it.
    const s = await f.call("GET", "/product/scheduler/status?status=waiting", undefined, bob);
    expect(s.body.data).toEqual([expect.objectContaining({ label: "add", status: "waiting", attempts: 0 })]);
    expect(s.body.data[0].payload).toBeUndefined();
    // Nothing runs the queue here, so a wait times out with the count still active.
    const w = await f.call("GET", "/product/scheduler/wait/stream?timeout_seconds=0.2", undefined, bob);
    expect(sseFrames(w.text).at(-1)).toMatchObject({ status: "timeout", active_tasks: 1, timed_out: true });
  });
});
