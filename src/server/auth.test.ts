/**
 * Auth once keys exist: no key, a malformed, wrong or revoked key → 401; a body naming another
 * user, or another user's cube → 403 and nothing read or written; admin keys act for anyone;
 * the per-key rate limit → 429 with Retry-After. Without keys the server is open (loopback).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerFixture, serverFixture } from "../../test/support/server-fixture.js";
import { createApiKey, revokeApiKey } from "../mos/api-keys.js";

let f: ServerFixture;
let bob: string;
let carol: string;
let admin: string;
beforeAll(async () => {
  f = await serverFixture({ limits: { rateLimitPerMinute: 1000 } });
  await f.mos.add({ userId: "carol", messages: [{ role: "user", content: "My bank PIN is a secret" }] });
  bob = createApiKey(f.mos.home.registry, "bob").key;
  carol = createApiKey(f.mos.home.registry, "carol").key;
  admin = createApiKey(f.mos.home.registry, "alice").key;
});
afterAll(async () => f?.close());

const search = (body: Record<string, unknown> = {}) => ({ query: "secret PIN", ...body });

describe("authentication", () => {
  it("no key → 401 with WWW-Authenticate and a hint", async () => {
    const r = await f.call("POST", "/product/search", search());
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: 401, error: "unauthorized" });
    expect(r.body.hint).toContain("memos key create");
    expect(r.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("a wrong or malformed key → 401", async () => {
    const wrong = `${bob.slice(0, -4)}AAAA`;
    expect((await f.call("POST", "/product/search", search(), wrong)).status).toBe(401);
    expect((await f.call("POST", "/product/search", search(), "not-a-key")).status).toBe(401);
    const basic = await f.call("POST", "/product/search", search(), undefined, {
      authorization: "Basic Ym9iOng=",
    });
    expect(basic.status).toBe(401);
  });

  it("a revoked or replaced key → 401 at once, though it worked a moment before", async () => {
    expect((await f.call("POST", "/product/search", search(), carol)).status).toBe(200);
    revokeApiKey(f.mos.home.registry, "carol");
    expect((await f.call("POST", "/product/search", search(), carol)).status).toBe(401);
    const first = createApiKey(f.mos.home.registry, "carol").key;
    expect((await f.call("POST", "/product/search", search(), first)).status).toBe(200);
    carol = createApiKey(f.mos.home.registry, "carol").key; // replaces `first`
    expect((await f.call("POST", "/product/search", search(), first)).status).toBe(401);
    expect((await f.call("POST", "/product/search", search(), carol)).status).toBe(200);
  });

  it("public paths need no key", async () => {
    expect((await f.call("GET", "/health")).status).toBe(200);
    expect((await f.call("GET", "/openapi.json")).status).toBe(200);
    expect((await f.call("GET", "/docs")).status).toBe(200);
  });
});

describe("authorization", () => {
  it("a key acts as its user: bob's search does not see carol's memories", async () => {
    const r = await f.call("POST", "/product/search", search(), bob);
    expect(r.status).toBe(200);
    expect(r.body.data.text_mem.map((c: { cube_id: string }) => c.cube_id)).toEqual(["bob/default"]);
    expect(JSON.stringify(r.body)).not.toContain("PIN");
  });

  it("another user's cube → 403 for search, add, get_memory, delete; nothing changes", async () => {
    const s = await f.call("POST", "/product/search", search({ readable_cube_ids: ["carol/default"] }), bob);
    expect(s.status).toBe(403);
    expect(s.body).toMatchObject({ code: 403, error: "access_denied" });
    expect(JSON.stringify(s.body)).not.toContain("PIN");
    const add = await f.call(
      "POST",
      "/product/add",
      { writable_cube_ids: ["carol/default"], messages: "spam", async_mode: "sync" },
      bob,
    );
    expect(add.status).toBe(403);
    expect((await f.call("POST", "/product/get_memory", { mem_cube_id: "carol/default" }, bob)).status).toBe(
      403,
    );
    const [mem] = (await f.mos.getAll({ userId: "carol" })).text_mem[0]?.memories ?? [];
    const del = await f.call("POST", "/product/delete_memory", { memory_ids: [mem?.id] }, bob);
    expect(del.status).toBe(404); // a memory bob may not read looks missing
    expect((await f.mos.getAll({ userId: "carol" })).text_mem[0]?.memories).toHaveLength(1);
  });

  it("a body user_id other than the key's user → 403", async () => {
    const r = await f.call("POST", "/product/search", search({ user_id: "carol" }), bob);
    expect(r.status).toBe(403);
    expect(r.body.message).toContain('may not act as "carol"');
    expect((await f.call("POST", "/product/search", search({ user_id: "bob" }), bob)).status).toBe(200);
  });

  it("an admin key may act as another user and manage keys; a user key may not", async () => {
    const r = await f.call("POST", "/product/search", search({ user_id: "carol" }), admin);
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).toContain("PIN");
    expect((await f.call("GET", "/admin/keys", undefined, bob)).status).toBe(403);
    expect((await f.call("POST", "/admin/keys", { user_id: "bob" }, bob)).status).toBe(403);
    expect((await f.call("GET", "/admin/keys", undefined, admin)).body.data).toHaveLength(3);
    expect(
      (await f.call("POST", "/product/register_cube", { mem_cube_name_or_path: "/tmp" }, bob)).status,
    ).toBe(403);
  });

  it("a user key may not create users; sharing needs the owner", async () => {
    expect((await f.call("POST", "/users", { user_id: "mallory" }, bob)).status).toBe(403);
    expect(
      (await f.call("POST", "/cubes/share", { cube_id: "carol/default", target_user_id: "bob" }, bob)).status,
    ).toBe(403);
    expect(
      (await f.call("POST", "/cubes/share", { cube_id: "carol/default", target_user_id: "bob" }, carol))
        .status,
    ).toBe(200);
    const r = await f.call("POST", "/product/search", search({ readable_cube_ids: ["carol/default"] }), bob);
    expect(r.status).toBe(200);
  });

  it("scheduler status is per user: bob cannot read carol's tasks", async () => {
    const t = await f.call("POST", "/product/add", { messages: "note" }, carol);
    const id = t.body.data[0].task_id;
    expect((await f.call("GET", `/product/scheduler/status?task_id=${id}`, undefined, bob)).status).toBe(404);
    expect((await f.call("GET", `/product/scheduler/status?user_id=carol`, undefined, bob)).status).toBe(403);
    await f.call("POST", "/product/scheduler/wait?timeout_seconds=30", undefined, carol);
  });
});

describe("rate limit", () => {
  it("past the per-key limit → 429 with Retry-After; other keys are unaffected", async () => {
    const g = await serverFixture({ limits: { rateLimitPerMinute: 3 } });
    try {
      const k1 = createApiKey(g.mos.home.registry, "bob").key;
      const k2 = createApiKey(g.mos.home.registry, "carol").key;
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await g.call("POST", "/product/search", search(), k1)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await g.call("POST", "/product/search", search(), k1);
      expect(limited.body).toMatchObject({ code: 429, error: "rate_limited" });
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await g.call("POST", "/product/search", search(), k2)).status).toBe(200);
    } finally {
      await g.close();
    }
  });
});

describe("without keys", () => {
  it("callers are trusted and act as the body's user_id (the server binds 127.0.0.1 only)", async () => {
    const g = await serverFixture();
    try {
      const r = await g.call("POST", "/product/add", { user_id: "bob", messages: "tea", async_mode: "sync" });
      expect(r.body.data[0].cube_id).toBe("bob/default");
    } finally {
      await g.close();
    }
  });
});
