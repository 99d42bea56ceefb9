/**
 * `memos scheduler status|wait` and `memos worker` on a home's local queue: status lists only the
 * acting user's tasks with counts and backpressure, wait fails (exit 1) while nothing runs the
 * queue, `memos worker --drain` runs the queued adds and exits, and the real binary stops
 * gracefully on SIGTERM.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MOS } from "../mos/mos.js";
import { tempDir } from "../mos/test-helpers.js";
import { fineModel } from "../scheduler/handlers/test-helpers.js";
import { MemScheduler } from "../scheduler/mem-scheduler.js";
import { createMosScheduler } from "../scheduler/mos-scheduler.js";
import { json, memos } from "./test-helpers.js";

const root = new URL("../..", import.meta.url).pathname;

describe("memos scheduler / memos worker", () => {
  const t = tempDir("memos-cli-sched-");
  const home = join(t.dir, "home");
  let addTask = "";

  beforeAll(async () => {
    expect((await memos("init", "--dir", home, "--user", "alice")).code).toBe(0);
    expect((await memos("user", "add", "bob", "--dir", home)).code).toBe(0);
    // What a server would have queued: an async add for alice, and one for bob.
    const mos = await MOS.open({ home });
    const s = await MemScheduler.create({ home, worker: false });
    addTask = (
      await s.submit({
        label: "add",
        user_id: "alice",
        cube_id: "alice/default",
        payload: { messages: [{ role: "user", content: "Alice's allotment is plot 42 by the river" }] },
      })
    ).task.task_id;
    await s.submit({
      label: "add",
      user_id: "bob",
      cube_id: "bob/default",
      payload: { memory_content: "Bob's note" },
    });
    await s.close();
    await mos.close();
  });
  afterAll(() => t.cleanup());

  it("status shows the acting user's tasks, counts and backpressure; wait fails while nothing runs them", async () => {
    const r = await memos("scheduler", "status", "--dir", home, "--json");
    expect(r.code).toBe(0);
    const status = json(r);
    expect(status).toMatchObject({
      queue: "local",
      user_id: "alice",
      active: 1,
      counts: { waiting: 1, total: 1 },
    });
    expect(status.tasks.map((x: { task_id: string }) => x.task_id)).toEqual([addTask]);
    expect(status.backpressure).toMatchObject({ active: 2, full: false, capacity: 10_000 });
    const text = await memos("scheduler", "status", "--dir", home, "--user", "bob");
    expect(text.stdout).toMatch(/user bob: 1 waiting/);
    expect(text.stdout).toMatch(/backpressure: 2\/10000 active/);
    expect(text.stdout).not.toContain(addTask);

    const wait = await memos("scheduler", "wait", "--dir", home, "--timeout", "0.2");
    expect(wait.code).toBe(1);
    expect(wait.stderr).toMatch(/1 task\(s\) of alice still active/);
    expect(wait.stderr).toContain("memos worker");
    expect((await memos("scheduler", "status", "--dir", home, "--status", "nope")).code).toBe(2);
  });

  it("memos worker --drain runs the queued tasks as their users, then exits", async () => {
    const r = await memos("worker", "--dir", home, "--drain", "--concurrency", "2", "--name", "w-test");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/memos worker w-test: local queue, concurrency 2/);
    // Two adds, and the preference pass alice's chat add queued (a memory text queues none).
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ worker: "w-test", completed: 3, failed: 0 });
    const wait = await memos("scheduler", "wait", "--dir", home, "--timeout", "5", "--json");
    expect(json(wait)).toMatchObject({ idle: true, active: 0 });
    const status = json(await memos("scheduler", "status", "--dir", home, "--json"));
    expect(status.tasks.find((x: { task_id: string }) => x.task_id === addTask)).toMatchObject({
      status: "completed",
      worker: "w-test",
    });
    const found = json(await memos("search", "allotment plot", "--dir", home, "--json"));
    expect(found.results[0].memory).toContain("plot 42");
  });

  it("memos scheduler sweep queues the fine pass of memories a full queue left pending", async () => {
    const mos = await MOS.open({ home, llm: fineModel() });
    const s = await createMosScheduler(mos, { worker: false, queueOptions: { capacity: 1 } });
    const filler = await s.submit({
      label: "query",
      user_id: "alice",
      cube_id: "alice/default",
      payload: { query: "x" },
    });
    const added = await mos.add({
      userId: "alice",
      messages: [{ role: "user", content: "Alice's bike lock code is in the blue notebook" }],
      mode: "fine",
      asyncMode: "async",
    });
    expect(added.backpressure?.pending).toBe(added.memories.length);
    await s.queue.cancel(filler.task.task_id);
    await s.close();
    await mos.close();

    const r = await memos("scheduler", "sweep", "--dir", home, "--json");
    expect(r.code).toBe(0);
    // alice is root: every cube is hers to write; only hers held pending memories.
    expect(json(r).cubes).toEqual([
      { cube_id: "alice/default", queued: added.memories.length, complete: true },
      { cube_id: "bob/default", queued: 0, complete: true },
    ]);
    const waiting = json(await memos("scheduler", "status", "--dir", home, "--status", "waiting", "--json"));
    expect(waiting.tasks).toEqual([
      expect.objectContaining({
        label: "mem_read",
        payload: { memory_ids: added.memories.map((m) => m.id) },
      }),
    ]);
    // Nothing is pending any more: a second sweep queues nothing.
    const again = await memos("scheduler", "sweep", "--dir", home, "--cube", "alice/default", "--json");
    expect(json(again).cubes).toEqual([{ cube_id: "alice/default", queued: 0, complete: true }]);
  });

  it("the real binary's worker stops gracefully on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "src/cli/bin.ts"), "worker", "--dir", home],
      {
        cwd: root,
      },
    );
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    child.stdout.on("data", (d) => {
      stdout += String(d);
    });
    for (let i = 0; i < 600 && !stderr.includes("concurrency"); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toContain("local queue");
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toContain("SIGTERM; finishing running tasks");
    expect(JSON.parse(stdout.trim())).toMatchObject({ completed: 0, failed: 0 });
  }, 60_000);
});
