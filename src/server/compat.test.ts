/**
 * MemOS compatibility: request bodies shaped as MemOS's clients and docs send them (field names
 * from MemOS's product_models.py: APIADDRequest, APISearchRequest, GetMemoryRequest,
 * DeleteMemoryRequest, APIChatCompleteRequest, APIFeedbackRequest, ExistMemCubeIdRequest), with
 * MemOS-style cube ids, and the response shapes MemOS clients read: `{code, message, data}`,
 * search's `text_mem/act_mem/para_mem/pref_mem/pref_note/pref_string`, `{cube_id, memories,
 * total_nodes}`, add's `[{memory, memory_id, memory_type, cube_id}]`, task ids for async adds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerFixture, serverFixture } from "../../test/support/server-fixture.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";

const llm = createScriptedLanguageModel([
  {
    match: "Feedback:",
    reply: (msgs) => {
      const id = /^- ([0-9a-f-]{36}):/m.exec(msgs.at(-1)?.content ?? "")?.[1];
      return {
        operations: [
          { action: "invalidate", memory_id: id, reason: "no longer true" },
          { action: "add", memory: "The user now studies ggplot2 in Python (plotnine)" },
        ],
      };
    },
  },
  { match: (m) => (m[0]?.content ?? "").includes("citation tag"), reply: "You are learning ggplot2." },
]);

let f: ServerFixture;
beforeAll(async () => {
  f = await serverFixture({ llm });
  for (const cube_id of ["user_01_private", "kb_r_lang"])
    await f.call("POST", "/product/create_cube", { cube_name: cube_id, owner_id: "bob", cube_id });
});
afterAll(async () => f?.close());

const envelope = (body: { code: unknown; message: unknown }) => {
  expect(body.code).toBe(200);
  expect(typeof body.message).toBe("string");
};

describe("MemOS-shaped requests", () => {
  it("add (MemOS docs, scenario 1): async with custom_tags → task ids, then stored", async () => {
    const r = await f.call("POST", "/product/add", {
      user_id: "bob",
      writable_cube_ids: ["user_01_private"],
      messages: [{ role: "user", content: "I am learning ggplot2 in R." }],
      async_mode: "async",
      custom_tags: ["Programming", "R"],
    });
    envelope(r.body);
    expect(r.body.data).toEqual([
      { task_id: expect.any(String), status: "waiting", cube_id: "user_01_private" },
    ]);
    const wait = await f.call("POST", "/product/scheduler/wait?user_name=bob&timeout_seconds=60");
    expect(wait.body.message).toBe("idle");
    // The add's own task; what it queued after (pref_add) is listed beside it.
    const status = await f.call("GET", "/product/scheduler/status?user_id=bob");
    const task = status.body.data.find((t: { task_id: string }) => t.task_id === r.body.data[0].task_id);
    expect(task).toMatchObject({ label: "add", status: "completed" });
  });

  it("add (scenario 2): a plain-string message with info, sync; the old mem_cube_id and memory_content fields", async () => {
    const r = await f.call("POST", "/product/add", {
      user_id: "bob",
      writable_cube_ids: ["kb_r_lang"],
      messages: "The 2026 financial audit process has been updated.",
      info: { source_type: "Internal_Portal" },
      async_mode: "sync",
      mode: "fast",
    });
    envelope(r.body);
    expect(r.body.data).toEqual([
      {
        memory: expect.stringContaining("audit"),
        memory_id: expect.any(String),
        memory_type: expect.any(String),
        cube_id: "kb_r_lang",
      },
    ]);
    const old = await f.call("POST", "/product/add", {
      user_id: "bob",
      mem_cube_id: "kb_r_lang",
      memory_content: "ggplot2 uses a grammar of graphics",
      async_mode: "sync",
    });
    expect(old.body.data[0]).toMatchObject({
      cube_id: "kb_r_lang",
      memory: "ggplot2 uses a grammar of graphics",
    });
  });

  it("add: chat messages with content parts, tool and system roles, chat_time", async () => {
    const r = await f.call("POST", "/product/add", {
      user_id: "bob",
      writable_cube_ids: ["user_01_private"],
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        {
          role: "user",
          content: [{ type: "text", text: "Plot my sales data" }],
          chat_time: "2026-01-05T10:00:00Z",
        },
        { role: "tool", content: "plot saved to sales.png" },
        { role: "assistant", content: "Done: sales.png" },
      ],
      session_id: "s-plot",
      async_mode: "sync",
    });
    envelope(r.body);
    expect(r.body.data.map((m: { memory: string }) => m.memory).join("\n")).toContain("Plot my sales data");
  });

  it("search (MemOS docs): multi-cube, mode/top_k/include_preference/dedup/search_tool_memory, then the filter example", async () => {
    const r = await f.call("POST", "/product/search", {
      user_id: "bob",
      query: "Based on my previous preferences, recommend some R language visualization solutions",
      readable_cube_ids: ["user_01_private", "kb_r_lang"],
      mode: "fast",
      include_preference: true,
      top_k: 5,
      dedup: null,
      search_tool_memory: true,
      pref_top_k: 6,
      relativity: 0,
      search_memory_type: "All",
    });
    envelope(r.body);
    const d = r.body.data;
    expect(Object.keys(d)).toEqual(
      expect.arrayContaining(["text_mem", "act_mem", "para_mem", "pref_mem", "pref_note", "pref_string"]),
    );
    expect(d.text_mem.map((c: { cube_id: string }) => c.cube_id)).toEqual(["user_01_private", "kb_r_lang"]);
    for (const c of d.text_mem) {
      expect(c).toEqual({
        cube_id: expect.any(String),
        memories: expect.any(Array),
        total_nodes: c.memories.length,
      });
      for (const m of c.memories)
        expect(m).toMatchObject({
          id: expect.any(String),
          memory: expect.any(String),
          metadata: { memory_type: expect.any(String), relativity: expect.any(Number) },
        });
    }
    const filtered = await f.call("POST", "/product/search", {
      query: "data visualization",
      user_id: "bob",
      readable_cube_ids: ["user_01_private"],
      filter: { and: [{ tags: { contains: "Programming" } }, { created_at: { gt: "2026-01-01" } }] },
    });
    const hits = filtered.body.data.text_mem[0].memories;
    expect(hits.length).toBeGreaterThan(0);
    for (const m of hits) expect(m.metadata.tags).toContain("Programming");
  });

  it("get_memory (GetMemoryRequest) and get_memory/{id}", async () => {
    const r = await f.call("POST", "/product/get_memory", {
      mem_cube_id: "kb_r_lang",
      user_id: "bob",
      include_preference: true,
      page: 1,
      page_size: 10,
    });
    envelope(r.body);
    expect(r.body.data.text_mem).toEqual([
      { cube_id: "kb_r_lang", memories: expect.any(Array), total_nodes: 2 },
    ]);
    expect(r.body.data.pref_mem).toEqual([{ cube_id: "kb_r_lang", memories: [], total_nodes: 0 }]);
    const id = r.body.data.text_mem[0].memories[0].id;
    const one = await f.call("GET", `/product/get_memory/${id}`);
    envelope(one.body);
    expect(one.body.data).toMatchObject({ id, memory: expect.any(String), metadata: expect.any(Object) });
  });

  it("exist_mem_cube_id (ExistMemCubeIdRequest) → {id: bool}", async () => {
    const r = await f.call("POST", "/product/exist_mem_cube_id", { mem_cube_id: "kb_r_lang" });
    envelope(r.body);
    expect(r.body.data).toEqual({ kb_r_lang: true });
  });

  it("chat/complete (APIChatCompleteRequest) → data.response", async () => {
    const r = await f.call("POST", "/product/chat/complete", {
      user_id: "bob",
      query: "What am I learning?",
      readable_cube_ids: ["user_01_private"],
      mode: "fast",
      top_k: 10,
      session_id: "default_session",
      include_preference: true,
      add_message_on_answer: false,
      internet_search: false,
      threshold: 0.5,
    });
    envelope(r.body);
    expect(r.body.data.response).toBe("You are learning ggplot2.");
  });

  it("add with is_feedback (MemOS): the old fact is invalidated, the new one added", async () => {
    const r = await f.call("POST", "/product/add", {
      user_id: "bob",
      writable_cube_ids: ["user_01_private"],
      messages: [
        { role: "assistant", content: "You are learning ggplot2 in R." },
        { role: "user", content: "Not anymore, I switched to plotnine in Python." },
      ],
      is_feedback: true,
    });
    envelope(r.body);
    expect(r.body.data.map((o: { memory_type: string }) => o.memory_type).sort()).toEqual([
      "add",
      "invalidate",
    ]);
    const invalidated = r.body.data.find((o: { memory_type: string }) => o.memory_type === "invalidate");
    const stored = await f.mos.get(invalidated.memory_id, { userId: "bob" });
    expect(stored.memory.metadata).toMatchObject({ status: "archived", invalid_at: expect.any(String) });
  });

  it("delete_memory (DeleteMemoryRequest): by writable_cube_ids + memory_ids, and by filter", async () => {
    const list = await f.call("POST", "/product/get_memory", { mem_cube_id: "kb_r_lang", user_id: "bob" });
    const [first] = list.body.data.text_mem[0].memories;
    const r = await f.call("POST", "/product/delete_memory", {
      writable_cube_ids: ["kb_r_lang"],
      memory_ids: [first.id],
    });
    envelope(r.body);
    expect(r.body.data.status).toBe("success");
    const byTag = await f.call("POST", "/product/delete_memory", {
      writable_cube_ids: ["user_01_private"],
      filter: { tags: { contains: "Programming" } },
    });
    expect(byTag.body.data.deleted[0].deleted.length).toBeGreaterThan(0);
  });
});
