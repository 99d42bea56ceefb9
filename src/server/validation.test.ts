/**
 * Bad requests get a typed error with the right status and a hint, never a stack trace, and
 * change nothing: missing and mistyped fields, malformed JSON, oversized bodies, unknown cubes
 * (never created on the fly), adds that would store nothing, server paths in place of files.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerFixture, serverFixture } from "../../test/support/server-fixture.js";

let f: ServerFixture;
beforeAll(async () => {
  f = await serverFixture({ limits: { maxBodyBytes: 4096 } });
});
afterAll(async () => f?.close());

function expectError(
  r: { status: number; body: Record<string, unknown>; text: string },
  status: number,
  error: string,
) {
  expect(r.status).toBe(status);
  expect(r.body).toMatchObject({ code: status, error, data: null });
  expect(typeof r.body.message).toBe("string");
  expect(typeof r.body.hint).toBe("string");
  expect(r.text).not.toMatch(/\n\s+at |\.ts:\d+/); // no stack trace
}

describe("validation", () => {
  it("a missing field is a 422 naming it", async () => {
    const r = await f.call("POST", "/product/search", { user_id: "bob" });
    expectError(r, 422, "invalid_input");
    expect(r.body.message).toContain("query");
  });

  it("a wrong type is a 422 naming the field", async () => {
    const r = await f.call("POST", "/product/search", { user_id: "bob", query: "cat", top_k: "ten" });
    expectError(r, 422, "invalid_input");
    expect(r.body.message).toContain("top_k");
    const role = await f.call("POST", "/product/add", {
      user_id: "bob",
      messages: [{ role: "robot", content: "x" }],
    });
    expectError(role, 422, "invalid_input");
  });

  it("malformed JSON is a 400", async () => {
    expectError(await f.call("POST", "/product/search", "{not json"), 400, "invalid_input");
  });

  it("a body over the limit is a 413 and nothing is stored", async () => {
    const big = { user_id: "bob", messages: "x".repeat(5000), async_mode: "sync" };
    const r = await f.call("POST", "/product/add", big);
    expectError(r, 413, "payload_too_large");
    expect(r.body.hint).toContain("MEMOS_MAX_BODY_BYTES");
    expect((await f.mos.getAll({ userId: "bob" })).text_mem[0]?.memories).toEqual([]);
  });

  it("an unknown cube is a 404 with a hint, for reads and writes, and is not created", async () => {
    const add = await f.call("POST", "/product/add", {
      user_id: "bob",
      writable_cube_ids: ["bob/typo"],
      messages: "hello",
      async_mode: "sync",
    });
    expectError(add, 404, "not_found");
    expect(add.body.hint).toContain("bob/default");
    const asyncAdd = await f.call("POST", "/product/add", {
      user_id: "bob",
      mem_cube_id: "bob/typo",
      messages: "hello",
    });
    expectError(asyncAdd, 404, "not_found");
    expectError(
      await f.call("POST", "/product/search", {
        user_id: "bob",
        query: "x",
        readable_cube_ids: ["bob/typo"],
      }),
      404,
      "not_found",
    );
    expectError(
      await f.call("POST", "/product/get_memory", { user_id: "bob", mem_cube_id: "bob/typo" }),
      404,
      "not_found",
    );
    expect(f.mos.home.registry.getCube("bob/typo")).toBeUndefined();
  });

  it("an unknown user or memory is a 404", async () => {
    expectError(await f.call("POST", "/product/search", { user_id: "nobody", query: "x" }), 404, "not_found");
    expectError(
      await f.call("GET", "/product/get_memory/00000000-0000-0000-0000-000000000000?user_id=bob"),
      404,
      "not_found",
    );
    expectError(await f.call("GET", "/no/such/route"), 404, "not_found");
  });

  it("an add that would store nothing says why", async () => {
    const r = await f.call("POST", "/product/add", {
      user_id: "bob",
      messages: [{ role: "user", content: [] }],
      async_mode: "sync",
    });
    expectError(r, 400, "invalid_input");
    expect(r.body.message).toMatch(/nothing to add/);
    expectError(
      await f.call("POST", "/product/add", { user_id: "bob", async_mode: "sync" }),
      400,
      "invalid_input",
    );
  });

  it("a server path is refused; a file's content is read", async () => {
    const path = await f.call("POST", "/product/add", {
      user_id: "bob",
      doc_path: "/etc/passwd",
      async_mode: "sync",
    });
    expectError(path, 400, "invalid_input");
    const part = await f.call("POST", "/product/add", {
      user_id: "bob",
      messages: [{ role: "user", content: [{ type: "input_file", file: { path: "/etc/passwd" } }] }],
      async_mode: "sync",
    });
    expectError(part, 400, "invalid_input");
    const doc = await f.call("POST", "/product/add", {
      user_id: "bob",
      messages: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "here are my notes" },
            {
              type: "input_file",
              filename: "notes.md",
              file_data: Buffer.from("# Garden\n\nThe tomatoes need water every morning.").toString("base64"),
            },
          ],
        },
      ],
      async_mode: "sync",
    });
    expect(doc.status).toBe(200);
    expect(doc.body.data.map((m: { memory: string }) => m.memory).join("\n")).toContain("tomatoes");
  });

  it("info keys that are memory fields, and bad filters, are refused", async () => {
    expectError(
      await f.call("POST", "/product/add", {
        user_id: "bob",
        messages: "x",
        info: { user_id: "eve" },
        async_mode: "sync",
      }),
      400,
      "invalid_input",
    );
    const bad = await f.call("POST", "/product/search", {
      user_id: "bob",
      query: "x",
      filter: { tags: { regex: ".*" } },
    });
    expectError(bad, 400, "invalid_input");
  });

  it("chat and feedback without an LLM are a 503 saying how to configure one", async () => {
    const chat = await f.call("POST", "/product/chat/complete", { user_id: "bob", query: "hi" });
    expectError(chat, 503, "config");
    expect(chat.body.hint).toContain("MEMOS_LLM");
    const stream = await f.call("POST", "/product/chat/stream", { user_id: "bob", query: "hi" });
    expectError(stream, 503, "config");
    const fb = await f.call("POST", "/product/feedback", { user_id: "bob", feedback_content: "wrong" });
    expectError(fb, 503, "config");
    const fine = await f.call("POST", "/product/search", { user_id: "bob", query: "x", mode: "fine" });
    expectError(fine, 503, "config");
    const fineAdd = await f.call("POST", "/product/add", {
      user_id: "bob",
      messages: "x",
      mode: "fine",
      async_mode: "async",
    });
    expectError(fineAdd, 503, "config");
    expect((await f.ctx.scheduler.status("bob")).tasks).toEqual([]);
  });
});
