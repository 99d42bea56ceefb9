/**
 * The memory browser's own JSON API through `app.request()` (semantic search, edit and delete go
 * through the REST API's /product routes, tested there and in the browser test): filters (type,
 * tag, session, dates), full-text search, a memory with history, rollback checked against MOS,
 * the overview's counts, and the ACL (another user's cube, a read-only share, unknown cube, bad
 * input, an oversized body).
 */
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemosError } from "../../core/errors/memos-error.js";
import { MOS } from "../../mos/mos.js";
import { tempDir } from "../../mos/test-helpers.js";
import { mountWeb } from "./index.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON response bodies, checked field by field
type Body = Record<string, any>;

describe("/web/api", () => {
  const tmp = tempDir("memos-webapi-");
  let mos: MOS;
  const app = new Hono();
  const as = (user: string) => ({ headers: { "x-user": user } });
  const get = async (path: string, user = "alice") => {
    const res = await app.request(`/web/api/${path}`, as(user));
    return { status: res.status, body: (await res.json()) as Body };
  };
  const send = async (method: string, path: string, body: unknown, user = "alice") => {
    const res = await app.request(`/web/api/${path}`, {
      method,
      headers: { "x-user": user, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Body };
  };
  let teaId = "";

  beforeAll(async () => {
    mos = await MOS.init({ home: tmp.dir, user: "alice" });
    await mos.createUser("bob");
    await mos.createUser("carol");
    mos.shareCubeWithUser("alice/default", { targetUser: "carol" }); // read-only
    const tea = await mos.add({ memoryContent: "Alice drinks green tea every morning", sessionId: "s-tea" });
    teaId = tea.memories[0]?.id as string;
    await mos.update(teaId, { metadata: { tags: ["drinks"] } });
    await mos.add({
      messages: [
        { role: "user", content: "I booked a flight to Tokyo for April", chat_time: "2025-02-01T10:00:00Z" },
        { role: "assistant", content: "Enjoy the cherry blossoms in Tokyo!" },
      ],
      sessionId: "s-trip",
    });
    mountWeb(app, {
      mos,
      authenticate: (c) => {
        const user = c.req.header("x-user");
        if (!user) throw new MemosError({ code: "auth", message: "no key" });
        return user;
      },
    });
  });
  afterAll(async () => {
    await mos.close();
    tmp.cleanup();
  });

  it("serves the page and its files, nothing else from disk", async () => {
    const page = await app.request("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/ui/app.js">');
    expect((await app.request("/ui/app.js")).headers.get("content-type")).toMatch(/javascript/);
    expect((await app.request("/ui/vendor/cytoscape.esm.min.mjs")).status).toBe(200);
    expect((await app.request("/ui/..%2F..%2Fpackage.json")).status).toBe(404);
    expect((await app.request("/ui/api.ts")).status).toBe(404);
  });

  it("lists with filters and searches", async () => {
    // What MOS stored (a chat may be stored as a window and as single turns): the page's totals must match it.
    const stored = (await mos.getAll({ cubeId: "alice/default" })).text_mem[0]?.memories ?? [];
    const inTrip = stored.filter((m) => m.metadata.session_id === "s-trip").length;
    expect(inTrip).toBeGreaterThan(0);
    const all = await get("memories?cube=alice/default");
    expect(all.body.total).toBe(stored.length);
    const tagged = await get("memories?cube=alice/default&tag=drinks");
    expect(tagged.body.memories.map((m: Body) => m.id)).toEqual([teaId]);
    const session = await get("memories?cube=alice/default&session=s-trip");
    expect(session.body.memories[0].memory).toContain("Tokyo");
    expect(session.body.total).toBe(inTrip);
    const future = await get("memories?cube=alice/default&from=2999-01-01");
    expect(future.body.total).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect((await get(`memories?cube=alice/default&from=${today}&to=${today}`)).body.total).toBe(
      stored.length,
    );
    const typed = await get("memories?cube=alice/default&type=UserMemory");
    expect(typed.body.total).toBe(stored.filter((m) => m.metadata.memory_type === "UserMemory").length);
    expect(typed.body.memories.every((m: Body) => m.metadata.memory_type === "UserMemory")).toBe(true);

    const text = await get("memories?cube=alice/default&q=tokyo&mode=text");
    expect(text.body.memories[0].memory).toContain("Tokyo");
    expect(text.body.memories[0].metadata.embedding).toBeUndefined();
    expect(typeof text.body.memories[0].score).toBe("number");
    // Semantic search is /product/search's job.
    expect((await get("memories?cube=alice/default&q=tea&mode=fast")).status).toBe(400);
  });

  it("opens a memory with its history and rolls it back, as MOS sees it", async () => {
    const page = await get(`memory?cube=alice/default&id=${teaId}`);
    expect(page.body.memory.memory).toBe("Alice drinks green tea every morning");
    expect(page.body.history.current.version).toBeGreaterThanOrEqual(1);
    expect(page.body.actions).toContain("delete");

    await mos.update(teaId, { memory: "Alice drinks oolong tea" });
    const hist = (await get(`memory?cube=alice/default&id=${teaId}`)).body.history;
    const original = hist.history.find((h: Body) => h.memory === "Alice drinks green tea every morning");
    expect(original).toBeDefined();
    const back = await send("POST", `memory/rollback?cube=alice/default&id=${teaId}`, {
      version: original.version,
    });
    expect(back.status).toBe(200);
    expect((await mos.get(teaId)).memory.memory).toBe("Alice drinks green tea every morning");

    const rollback = `memory/rollback?cube=alice/default&id=${teaId}`;
    expect((await send("POST", rollback, {})).status).toBe(400);
    expect((await send("POST", rollback, { version: "one" })).status).toBe(400);
    expect((await send("POST", rollback, "{not json")).status).toBe(400);
    expect((await send("POST", rollback, { version: 99 })).status).toBe(404);
    expect((await send("POST", rollback, { version: 1, pad: "x".repeat(300_000) })).status).toBe(413);

    const ov = await get("overview?cube=alice/default");
    expect(ov.body.total).toBe((await mos.getAll({ cubeId: "alice/default" })).text_mem[0]?.memories.length);
    expect(ov.body.sessions.map((s: Body) => s.key).sort()).toEqual(["s-tea", "s-trip"]);
    expect(ov.body.by_event_day.map((d: Body) => d.day)).toContain("2025-02-01");
  });

  it("lets the ACL decide: other users' cubes, read-only shares, unknown cubes, bad input", async () => {
    const bob = await get("memories?cube=alice/default", "bob");
    expect(bob.status).toBe(403);
    expect(bob.body).toMatchObject({ code: "access_denied" });
    expect(bob.body.hint).toContain("share");
    expect((await get("me", "bob")).body.cubes.map((c: Body) => c.cube_id)).toEqual(["bob/default"]);

    const carol = await get("memories?cube=alice/default", "carol");
    expect(carol.status).toBe(200);
    const id = carol.body.memories[0].id;
    const before = (await mos.history(id)).current.version;
    const write = await send("POST", `memory/rollback?cube=alice/default&id=${id}`, { version: 1 }, "carol");
    expect(write.status).toBe(403);
    expect(write.body.message).toMatch(/read-only/);
    expect((await mos.history(id)).current.version).toBe(before);

    expect((await get("memories?cube=nobody/x")).status).toBe(404);
    expect((await get("memories")).status).toBe(400);
    expect((await get("memories?cube=alice/default&from=yesterday")).status).toBe(400);
    expect((await get("memories?cube=alice/default&limit=100000")).status).toBe(400);
    expect((await app.request("/web/api/me")).status).toBe(401);
  });
});
