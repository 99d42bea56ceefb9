/**
 * MCP and the memory browser mounted on the REST API's app (createApp + serverExtensions), with
 * real API keys: the same key authenticates REST, MCP and the browser's API; no key, a wrong key
 * and a revoked key are refused; one user's key cannot reach another user's cube over MCP; the
 * page itself loads without a key so it can ask for one.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "../../src/mos/api-keys.js";
import { MOS } from "../../src/mos/mos.js";
import { tempDir } from "../../src/mos/test-helpers.js";
import { createApp } from "../../src/server/app.js";
import { serverExtensions } from "../../src/server/extensions.js";
import { failure, ok, searchTexts } from "./mcp-helpers.js";

describe("MCP and the browser on the REST API's app", () => {
  const tmp = tempDir("memos-ext-");
  let mos: MOS;
  let server: ReturnType<typeof serve>;
  let base = "";
  const keys: Record<string, string> = {};
  const clients: Client[] = [];

  async function mcp(key?: string): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: key ? { headers: { Authorization: `Bearer ${key}` } } : {},
    });
    const client = new Client({ name: "ext-test", version: "1" });
    await client.connect(transport);
    clients.push(client);
    return client;
  }
  const web = (path: string, key?: string) =>
    fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  beforeAll(async () => {
    mos = await MOS.init({ home: tmp.dir, user: "alice" });
    await mos.createUser("bob");
    for (const u of ["alice", "bob"]) keys[u] = createApiKey(mos.home.registry, u).key;
    const { app } = createApp({
      mos,
      extensions: serverExtensions("test"),
      limits: { rateLimitPerMinute: 0 },
    });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await new Promise((r) => server.close(r));
    await mos.close();
    tmp.cleanup();
  });

  it("MCP acts as the key's user, and the store holds what it acknowledged", async () => {
    const alice = await mcp(keys.alice);
    const added = await ok(alice, "add_memory", { messages: "Alice keeps bees on her balcony in Lisbon." });
    expect(added.cube_id).toBe("alice/default");
    const stored = await mos.getAll({ userId: "alice", cubeId: "alice/default" });
    expect(stored.text_mem[0]?.memories.map((m) => m.memory).join(" ")).toContain("keeps bees");
    const found = searchTexts(await ok(alice, "search_memories", { query: "bees balcony" }));
    expect(found["alice/default"]?.[0]).toContain("bees");

    const bob = await mcp(keys.bob);
    const denied = await failure(bob, "search_memories", { query: "bees", cube_ids: ["alice/default"] });
    expect(denied.code).toBe("access_denied");
    const asAlice = await failure(bob, "get_user_info", { user_id: "alice" });
    expect(asAlice.code).toBe("access_denied");
  });

  it("refuses /mcp without a key, with a wrong key and with a revoked key", async () => {
    const post = (key?: string) =>
      fetch(`${base}/mcp`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
    expect((await post()).status).toBe(401);
    expect((await post("memos_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).status).toBe(401);
    const bobKey = keys.bob as string;
    expect((await post(bobKey)).status).toBe(200);
    revokeApiKey(mos.home.registry, "bob");
    const revoked = await post(bobKey);
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ error: "unauthorized" });
  });

  it("serves the page without a key and its API only with one", async () => {
    const page = await web("/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("memory browser");
    expect((await web("/ui/app.js")).status).toBe(200);
    const me = await web("/web/api/me");
    expect(me.status).toBe(401);
    const signedIn = await web("/web/api/me", keys.alice);
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toMatchObject({ user_id: "alice", keys_required: true });
  });
});
