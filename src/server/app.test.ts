/**
 * Every route's happy path through `app.request()`: what a client sends, what it gets back, and
 * that the store really changed (a memory added is then found, an update is a new version, a
 * delete removes it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerFixture, serverFixture, sseFrames } from "../../test/support/server-fixture.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";

const llm = createScriptedLanguageModel([
  {
    match: "Feedback:",
    reply: (msgs) => {
      const id = /^- ([0-9a-f-]{36}):/m.exec(msgs.at(-1)?.content ?? "")?.[1];
      return {
        operations: [
          { action: "update", memory_id: id, memory: "Bob's cat is called Pixie", reason: "renamed" },
        ],
        corrected_answer: "Pixie",
      };
    },
  },
  {
    match: (msgs) => (msgs[0]?.content ?? "").includes("citation tag"),
    reply: (msgs) => `Your cat is Pixel [1:${/\[1:([^\]\s]+)\]/.exec(msgs[0]?.content ?? "")?.[1]}].`,
  },
]);

let f: ServerFixture;
beforeAll(async () => {
  f = await serverFixture({ llm });
});
afterAll(async () => f?.close());

const pixel = [
  { role: "user", content: "I adopted a grey cat called Pixel", chat_time: "2025-03-09T18:40:00Z" },
];

describe("memories", () => {
  let id: string;

  it("POST /product/add (sync) returns the memories written, with tags and info stored", async () => {
    const r = await f.call("POST", "/product/add", {
      user_id: "bob",
      writable_cube_ids: ["bob/default"],
      messages: pixel,
      async_mode: "sync",
      custom_tags: ["pets"],
      info: { agent_id: "a1" },
    });
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(200);
    expect(r.body.data).toHaveLength(1);
    expect(r.body.data[0]).toMatchObject({
      cube_id: "bob/default",
      memory: expect.stringContaining("Pixel"),
    });
    id = r.body.data[0].memory_id;
    const stored = await f.mos.get(id, { userId: "bob" });
    expect(stored.memory.metadata.tags).toContain("pets");
    expect((stored.memory.metadata as Record<string, unknown>).agent_id).toBe("a1");
  });

  it("POST /product/search finds it, filtered by an info key, in MemOS's shape", async () => {
    const r = await f.call("POST", "/product/search", {
      user_id: "bob",
      query: "what is the cat called?",
      filter: { agent_id: "a1" },
    });
    expect(r.status).toBe(200);
    const { text_mem, act_mem, para_mem, pref_mem, pref_note, pref_string } = r.body.data;
    expect(text_mem).toEqual([
      { cube_id: "bob/default", memories: [expect.objectContaining({ id })], total_nodes: 1 },
    ]);
    expect(text_mem[0].memories[0].metadata.relativity).toBeGreaterThan(0);
    expect(text_mem[0].memories[0].metadata.embedding).toBeUndefined();
    expect([act_mem, para_mem, pref_mem, typeof pref_note, typeof pref_string]).toEqual([
      [],
      [],
      [],
      "string",
      "string",
    ]);
    const none = await f.call("POST", "/product/search", {
      user_id: "bob",
      query: "cat",
      filter: { agent_id: "other" },
    });
    expect(none.body.data.text_mem[0].memories).toEqual([]);
  });

  it("POST /product/add (async) queues a task; scheduler/wait waits for it; status shows it completed", async () => {
    const r = await f.call("POST", "/product/add", {
      user_id: "bob",
      messages: "I work as a nurse in Porto",
    });
    expect(r.status).toBe(200);
    const [task] = r.body.data;
    expect(task).toMatchObject({ status: "waiting", cube_id: "bob/default", task_id: expect.any(String) });
    const w = await f.call("POST", "/product/scheduler/wait?user_name=bob&timeout_seconds=30");
    expect(w.body).toMatchObject({
      code: 200,
      message: "idle",
      data: { running_tasks: 0, timed_out: false, user_name: "bob" },
    });
    const s = await f.call("GET", `/product/scheduler/status?user_id=bob&task_id=${task.task_id}`);
    expect(s.body.data).toEqual([expect.objectContaining({ task_id: task.task_id, status: "completed" })]);
    const found = await f.call("POST", "/product/search", { user_id: "bob", query: "nurse Porto", top_k: 1 });
    expect(found.body.data.text_mem[0].memories[0].memory).toContain("nurse");
    const all = await f.call("GET", "/product/scheduler/allstatus");
    expect(all.body.data.all_tasks_summary.completed).toBeGreaterThanOrEqual(1);
  });

  it("GET /product/scheduler/wait/stream sends running frames, then idle", async () => {
    let release: () => void = () => undefined;
    f.ctx.scheduler.register("act_mem_update", () => new Promise((r) => (release = () => r({}))));
    await f.ctx.scheduler.submit({
      label: "act_mem_update",
      user_id: "bob",
      cube_id: "bob/default",
      payload: {},
    });
    setTimeout(() => release(), 300);
    const r = await f.call("GET", "/product/scheduler/wait/stream?user_name=bob&timeout_seconds=10");
    expect(r.headers.get("content-type")).toContain("text/event-stream");
    const frames = sseFrames(r.text);
    expect(frames[0]).toMatchObject({ user_name: "bob", status: "running", active_tasks: 1 });
    expect(frames.at(-1)).toMatchObject({ user_name: "bob", status: "idle", active_tasks: 0 });
  });

  it("POST /product/get_all lists every memory of the user's cubes", async () => {
    const r = await f.call("POST", "/product/get_all", { user_id: "bob", memory_type: "text_mem" });
    expect(r.body.data).toEqual([expect.objectContaining({ cube_id: "bob/default", total_nodes: 2 })]);
    const q = await f.call("POST", "/product/get_all", {
      user_id: "bob",
      memory_type: "text_mem",
      search_query: "cat",
    });
    expect(q.body.data[0].memories[0].id).toBe(id);
    const act = await f.call("POST", "/product/get_all", { user_id: "bob", memory_type: "act_mem" });
    expect(act.body.data).toEqual([]);
  });

  it("POST /product/get_memory pages with total_nodes", async () => {
    const p1 = await f.call("POST", "/product/get_memory", {
      mem_cube_id: "bob/default",
      user_id: "bob",
      page: 1,
      page_size: 1,
    });
    const p2 = await f.call("POST", "/product/get_memory", {
      mem_cube_id: "bob/default",
      user_id: "bob",
      page: 2,
      page_size: 1,
    });
    expect(p1.body.data.text_mem[0]).toMatchObject({ cube_id: "bob/default", total_nodes: 2 });
    expect(p1.body.data.text_mem[0].memories).toHaveLength(1);
    expect(p2.body.data.text_mem[0].memories).toHaveLength(1);
    expect(p1.body.data.text_mem[0].memories[0].id).not.toBe(p2.body.data.text_mem[0].memories[0].id);
    expect(Object.keys(p1.body.data).sort()).toEqual(["pref_mem", "skill_mem", "text_mem", "tool_mem"]);
  });

  it("GET /product/get_memory/{id} and POST /product/get_memory_by_ids", async () => {
    const one = await f.call("GET", `/product/get_memory/${id}?user_id=bob`);
    expect(one.body.data).toMatchObject({ id, cube_id: "bob/default" });
    const many = await f.call("POST", "/product/get_memory_by_ids", [
      id,
      "00000000-0000-0000-0000-000000000000",
    ]);
    // Without keys the caller acts as the home's default user (alice, root), who may read bob's cube.
    expect(many.body.data).toMatchObject({ total: 2, missing: ["00000000-0000-0000-0000-000000000000"] });
    expect(many.body.data.memories.map((m: { id: string }) => m.id)).toEqual([id]);
    const paged = await f.call("POST", "/product/get_memory_by_ids", {
      memory_ids: [id, "x"],
      user_id: "bob",
      page: 2,
      page_size: 1,
    });
    expect(paged.body.data).toMatchObject({ memories: [], total: 2, missing: ["x"] });
  });

  it("POST /product/feedback updates a memory as a new version (scripted LLM)", async () => {
    const r = await f.call("POST", "/product/feedback", {
      user_id: "bob",
      history: [{ role: "assistant", content: "Your cat is Pixel" }],
      feedback_content: "No, I renamed her Pixie",
      retrieved_memory_ids: [id],
      corrected_answer: true,
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({
      operations: [
        expect.objectContaining({ action: "update", memory_id: id, memory: "Bob's cat is called Pixie" }),
      ],
      corrected_answer: "Pixie",
    });
    const h = await f.mos.history(id, { userId: "bob" });
    expect(h.current.version).toBe(2);
  });

  it("POST /product/update_memory changes the text; the old one goes to history", async () => {
    const r = await f.call("POST", "/product/update_memory", {
      user_id: "bob",
      memory_id: id,
      memory: "Bob has a grey cat, Pixie",
    });
    expect(r.body.data).toMatchObject({ id, memory: "Bob has a grey cat, Pixie", cube_id: "bob/default" });
    expect(r.body.data.metadata.version).toBe(3);
  });

  it("POST /product/delete_memory by ids, and by filter", async () => {
    const r = await f.call("POST", "/product/delete_memory", { user_id: "bob", memory_ids: [id] });
    expect(r.body.data).toEqual({ status: "success", deleted: [{ cube_id: "bob/default", deleted: [id] }] });
    expect((await f.call("GET", `/product/get_memory/${id}?user_id=bob`)).status).toBe(404);
    await f.call("POST", "/product/add", {
      user_id: "bob",
      messages: "temp note",
      session_id: "s-tmp",
      async_mode: "sync",
    });
    const byFilter = await f.call("POST", "/product/delete_memory", {
      user_id: "bob",
      writable_cube_ids: ["bob/default"],
      filter: { session_id: "s-tmp" },
    });
    expect(byFilter.body.data.deleted[0].deleted).toHaveLength(1);
    const left = await f.mos.getAll({
      userId: "bob",
      cubeId: "bob/default",
      filter: { session_id: "s-tmp" },
    });
    expect(left.text_mem[0]?.memories).toEqual([]);
  });
});

describe("chat", () => {
  it("POST /product/chat/complete answers with checked citations and references", async () => {
    await f.call("POST", "/product/add", {
      user_id: "carol",
      messages: "My cat is called Pixel",
      async_mode: "sync",
    });
    const r = await f.call("POST", "/product/chat/complete", {
      user_id: "carol",
      query: "what is my cat called?",
      add_message_on_answer: false,
    });
    expect(r.status).toBe(200);
    expect(r.body.data.response).toMatch(/^Your cat is Pixel \[1:/);
    expect(r.body.data.references[0]).toMatchObject({
      index: 1,
      cube_id: "carol/default",
      memory: expect.stringContaining("Pixel"),
    });
    expect(r.body.data.citations).toEqual([
      { index: 1, memoryId: r.body.data.references[0].memory_id, cubeId: "carol/default" },
    ]);
  });

  it("POST /product/chat/stream frames: status, reference, status, text deltas, citations, end", async () => {
    const r = await f.call("POST", "/product/chat/stream", {
      user_id: "carol",
      query: "what is my cat called?",
      add_message_on_answer: false,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/event-stream");
    expect(r.text).toMatch(/^data: \{/);
    const frames = sseFrames(r.text);
    const types = frames.map((x) => x.type);
    expect(types.slice(0, 3)).toEqual(["status", "reference", "status"]);
    expect(types.slice(-2)).toEqual(["citations", "end"]);
    const text = frames.filter((x) => x.type === "text").map((x) => x.data);
    expect(text.length).toBeGreaterThan(1);
    expect(text.join("")).toMatch(/^Your cat is Pixel \[1:/);
    expect(frames.find((x) => x.type === "citations").data).toHaveLength(1);
  });
});

describe("cubes, users, keys, health, docs", () => {
  it("create_cube, /cubes (create, list), exist_mem_cube_id", async () => {
    const r = await f.call("POST", "/product/create_cube", { cube_name: "work", owner_id: "bob" });
    expect(r.body).toMatchObject({
      code: 200,
      data: { cube_id: "bob/work", cube_name: "work", owner_id: "bob" },
    });
    const r2 = await f.call("POST", "/cubes", { cube_name: "travel", user_id: "bob" });
    expect(r2.body.data.cube_id).toBe("bob/travel");
    const list = await f.call("GET", "/cubes?user_id=bob");
    expect(list.body.data.map((c: { cube_id: string }) => c.cube_id)).toEqual([
      "bob/default",
      "bob/travel",
      "bob/work",
    ]);
    expect(list.body.data[0]).not.toHaveProperty("path");
    const yes = await f.call("POST", "/product/exist_mem_cube_id", {
      mem_cube_id: "bob/work",
      user_id: "bob",
    });
    const no = await f.call("POST", "/product/exist_mem_cube_id", {
      mem_cube_id: "bob/nope",
      user_id: "bob",
    });
    expect([yes.body.data, no.body.data]).toEqual([{ "bob/work": true }, { "bob/nope": false }]);
  });

  it("/cubes/share and /cubes/unshare change who may read", async () => {
    const share = await f.call("POST", "/cubes/share", {
      user_id: "bob",
      cube_id: "bob/work",
      target_user_id: "carol",
    });
    expect(share.body.data).toMatchObject({ cube_id: "bob/work", user_id: "carol", permission: "read" });
    expect(
      (await f.call("POST", "/product/exist_mem_cube_id", { mem_cube_id: "bob/work", user_id: "carol" })).body
        .data["bob/work"],
    ).toBe(true);
    const unshare = await f.call("POST", "/cubes/unshare", {
      user_id: "bob",
      cube_id: "bob/work",
      target_user_id: "carol",
    });
    expect(unshare.body.data.revoked).toBe(true);
    expect(
      (await f.call("POST", "/product/exist_mem_cube_id", { mem_cube_id: "bob/work", user_id: "carol" })).body
        .data["bob/work"],
    ).toBe(false);
  });

  it("register_cube registers a dumped cube directory", async () => {
    const dir = `${f.dir}/export-work`;
    await f.mos.dump("bob/default", dir, { userId: "bob" });
    await f.mos.unregisterMemCube("bob/default", { userId: "bob" });
    const r = await f.call("POST", "/product/register_cube", {
      mem_cube_name_or_path: dir,
      mem_cube_id: "bob/restored",
      user_id: "bob",
    });
    expect(r.body.data).toEqual({ cube_id: "bob/restored", cube_name_or_path: dir });
    expect(f.mos.listCubes({ userId: "bob" }).map((c) => c.cube_id)).toContain("bob/restored");
  });

  it("/users lists and creates users", async () => {
    const created = await f.call("POST", "/users", { user_id: "dave", user_name: "Dave" });
    expect(created.body.data).toMatchObject({
      user_id: "dave",
      user_name: "Dave",
      role: "user",
      default_cube: "dave/default",
    });
    const list = await f.call("GET", "/users");
    expect(list.body.data.map((u: { user_id: string }) => u.user_id)).toEqual([
      "alice",
      "bob",
      "carol",
      "dave",
    ]);
  });

  it("/admin/keys creates, lists and revokes keys; /health says whether keys are on", async () => {
    expect((await f.call("GET", "/health")).body.data).toMatchObject({ status: "ok", auth: "none" });
    const created = await f.call("POST", "/admin/keys", { user_id: "alice" });
    expect(created.body.data.key).toMatch(/^memos_[0-9a-f]{12}_/);
    const key = created.body.data.key;
    expect((await f.call("GET", "/health")).body.data.auth).toBe("api_key");
    const list = await f.call("GET", "/admin/keys", undefined, key);
    expect(list.body.data).toEqual([
      expect.objectContaining({ key_id: created.body.data.key_id, user_id: "alice", role: "root" }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(key.slice(`memos_${created.body.data.key_id}_`.length));
    const revoked = await f.call("DELETE", `/admin/keys/${created.body.data.key_id}`, undefined, key);
    expect(revoked.body.data.user_id).toBe("alice");
    expect((await f.call("GET", "/health")).body.data.auth).toBe("none");
  });

  it("/openapi.json and /docs are served without a key", async () => {
    const doc = await f.call("GET", "/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
    const page = await f.call("GET", "/docs");
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.text).toContain("/product/search");
    expect(page.text).not.toMatch(/<script|https?:\/\/cdn/i);
  });
});
