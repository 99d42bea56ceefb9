/**
 * `/mcp` over streamable HTTP, driven by the MCP SDK's client over a real loopback socket: each
 * request authenticated to a user (here by a bearer token standing in for the REST API's API
 * keys), tools listed, add (list and plain string), search, share, and denials: no credentials,
 * another user's cube, acting as another user, a server path from a non-admin.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemosError } from "../../src/core/errors/memos-error.js";
import { MOS } from "../../src/mos/mos.js";
import { tempDir } from "../../src/mos/test-helpers.js";
import type { MemScheduler } from "../../src/scheduler/mem-scheduler.js";
import { createLocalMosScheduler } from "../../src/scheduler/mos-scheduler.js";
import { mountMcp } from "../../src/server/mcp/http.js";
import { MCP_TOOL_NAMES } from "../../src/server/mcp/server.js";
import { failure, ok, searchTexts } from "./mcp-helpers.js";

const TOKENS: Record<string, string> = { "t-alice": "alice", "t-bob": "bob", "t-carol": "carol" };

describe("/mcp (streamable HTTP)", () => {
  const tmp = tempDir("memos-mcp-http-");
  let mos: MOS;
  let server: ReturnType<typeof serve>;
  let url: URL;
  const clients: Client[] = [];
  let scheduler: MemScheduler;

  async function connect(token?: string): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(url, {
      requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
    });
    const client = new Client({ name: "memos-http-test", version: "1" });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    mos = await MOS.init({ home: tmp.dir, user: "alice" });
    await mos.createUser("bob");
    await mos.createUser("carol");
    scheduler = createLocalMosScheduler(mos);
    const app = new Hono();
    mountMcp(app, {
      mos,
      scheduler,
      version: "test",
      authenticate: (c) => {
        const token = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "")?.[1];
        const user = token ? TOKENS[token] : undefined;
        if (!user)
          throw new MemosError({
            code: "auth",
            message: "no valid API key",
            hint: "send Authorization: Bearer <key>",
          });
        return user;
      },
    });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
    });
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await new Promise((resolve) => server.close(resolve));
    await scheduler.close();
    await mos.close();
    tmp.cleanup();
  });

  it("refuses a request without credentials (401, typed body)", async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "auth", message: "no valid API key" });
    await expect(connect()).rejects.toThrow();
  });

  it("lists the tools and adds, searches and shares as the key's user", async () => {
    const bob = await connect("t-bob");
    const { tools } = await bob.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOL_NAMES].sort());

    const listed = await ok(bob, "add_memory", {
      messages: [{ role: "user", content: "I run the Porto half marathon every November." }],
    });
    expect(listed.cube_id).toBe("bob/default");
    const plain = await ok(bob, "add_memory", { messages: "My favourite dessert is pastel de nata." });
    expect((plain.memories as { memory: string }[])[0]?.memory).toContain("pastel de nata");

    // MemOS clients' content parts are read too.
    const parts = await ok(bob, "add_memory", {
      messages: [
        { role: "user", content: [{ type: "input_text", text: "I am learning to play the cavaquinho." }] },
      ],
    });
    expect((parts.memories as { memory: string }[])[0]?.memory).toContain("cavaquinho");
    const file = await failure(bob, "add_memory", {
      messages: [{ role: "user", content: [{ type: "input_file", filename: "a.txt", file_data: "aGk=" }] }],
    });
    expect(file.code).toBe("invalid_input");
    const found = searchTexts(await ok(bob, "search_memories", { query: "favourite dessert" }));
    expect(found["bob/default"]?.[0]).toContain("pastel de nata");
    expect(Object.keys(found)).toEqual(["bob/default"]);

    // Stored for real: MOS (not the tool's answer) sees both memories.
    const all = await mos.getAll({ userId: "bob", cubeId: "bob/default" });
    const stored = all.text_mem[0]?.memories.map((m) => m.memory).join(" ");
    expect(stored).toContain("half marathon");
    expect(stored).toContain("pastel de nata");

    const carol = await connect("t-carol");
    const denied = await failure(carol, "search_memories", { query: "dessert", cube_ids: ["bob/default"] });
    expect(denied.code).toBe("access_denied");

    await ok(bob, "share_cube", { cube_id: "bob/default", target_user_id: "carol", permission: "write" });
    const shared = searchTexts(await ok(carol, "search_memories", { query: "favourite dessert" }));
    expect(shared["bob/default"]?.[0]).toContain("pastel de nata");
    const info = await ok(carol, "get_user_info", {});
    expect((info.accessible_cubes as { cube_id: string }[]).map((c) => c.cube_id)).toContain("bob/default");
  });

  it("keeps a user to their own identity and off the server's disk", async () => {
    const carol = await connect("t-carol");
    const impersonate = await failure(carol, "add_memory", { messages: "hi", user_id: "alice" });
    expect(impersonate.code).toBe("access_denied");
    expect(impersonate.message).toMatch(/may not act as "alice"/);
    const path = await failure(carol, "add_memory", { doc_path: "/etc/passwd" });
    expect(path.code).toBe("access_denied");
    const dump = await failure(carol, "dump_cube", { dump_dir: tmp.dir });
    expect(dump.code).toBe("access_denied");
    const unknown = await failure(carol, "get_memory", { memory_id: "00000000-0000-4000-8000-000000000000" });
    expect(unknown.code).toBe("not_found");
    const other = await failure(carol, "delete_all_memories", { cube_id: "alice/default" });
    expect(other.code).toBe("access_denied");
  });

  it("answers GET with 405 (stateless server, no standalone stream)", async () => {
    const res = await fetch(url, { headers: { accept: "text/event-stream", authorization: "Bearer t-bob" } });
    expect(res.status).toBe(405);
  });

  it("control_memory_scheduler: status for any user; starting and stopping the worker for admins only", async () => {
    const bob = await connect("t-bob");
    await scheduler.submit({
      label: "query",
      user_id: "bob",
      cube_id: "bob/default",
      payload: { query: "tea?" },
    });
    await scheduler.waitIdle("bob", 10_000);
    const status = await ok(bob, "control_memory_scheduler", { action: "status" });
    expect(status).toMatchObject({ queue: "local", counts: { completed: 1 }, worker_running: true });
    expect((await failure(bob, "control_memory_scheduler", { action: "stop" })).code).toBe("access_denied");

    const alice = await connect("t-alice");
    expect(await ok(alice, "control_memory_scheduler", { action: "stop" })).toEqual({
      worker_running: false,
    });
    await scheduler.submit({
      label: "query",
      user_id: "bob",
      cube_id: "bob/default",
      payload: { query: "coffee?" },
    });
    expect((await scheduler.waitIdle("bob", 300)).idle).toBe(false);
    expect(await ok(alice, "control_memory_scheduler", { action: "start" })).toEqual({
      worker_running: true,
    });
    expect((await scheduler.waitIdle("bob", 10_000)).idle).toBe(true);
  });
});
