/**
 * `memos mcp` over stdio, driven by the MCP SDK's client exactly as Claude Desktop or Cursor
 * would spawn it: tools listed with MemOS's names, add (a message list and a plain string, both
 * stored), search, share, and a user denied a cube that is not theirs.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MOS } from "../../src/mos/mos.js";
import { tempDir } from "../../src/mos/test-helpers.js";
import { MCP_TOOL_NAMES } from "../../src/server/mcp/server.js";
import { call, failure, ok, searchTexts } from "./mcp-helpers.js";

const repoRoot = new URL("../..", import.meta.url).pathname;

async function connect(home: string, user: string): Promise<Client> {
  const { MEMOS_LLM: _noLlm, ...env } = process.env;
  const transport = new StdioClientTransport({
    command: "npx",
    args: ["tsx", "src/cli/bin.ts", "mcp", "--dir", home, "--user", user],
    cwd: repoRoot,
    env: env as Record<string, string>,
    stderr: "pipe",
  });
  const client = new Client({ name: "memos-test", version: "1" });
  await client.connect(transport);
  return client;
}

describe("memos mcp (stdio)", () => {
  const tmp = tempDir("memos-mcp-stdio-");
  let alice: Client;
  let carol: Client;

  beforeAll(async () => {
    const mos = await MOS.init({ home: tmp.dir, user: "alice" });
    await mos.createUser("bob");
    await mos.createUser("carol");
    await mos.close();
    [alice, carol] = await Promise.all([connect(tmp.dir, "alice"), connect(tmp.dir, "carol")]);
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), carol?.close()]);
    tmp.cleanup();
  });

  it("lists MemOS's tools, each with a JSON input schema", async () => {
    const { tools } = await alice.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOL_NAMES].sort());
    const add = tools.find((t) => t.name === "add_memory");
    expect(Object.keys(add?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(["messages", "memory_content", "doc_path", "cube_id", "user_id"]),
    );
    const search = tools.find((t) => t.name === "search_memories");
    expect(search?.inputSchema.required).toEqual(["query"]);
  });

  it("stores messages given as a list and as a plain string, and finds both", async () => {
    const listed = await ok(alice, "add_memory", {
      messages: [
        { role: "user", content: "My sister Ines is a marine biologist in Lisbon." },
        { role: "assistant", content: "That sounds like fascinating work." },
      ],
      session_id: "s1",
    });
    expect(listed.cube_id).toBe("alice/default");
    expect((listed.memories as unknown[]).length).toBeGreaterThan(0);

    const plain = await ok(alice, "add_memory", {
      messages: "I adopted a grey cat called Pixel last spring.",
    });
    const stored = plain.memories as { memory: string; memory_id: string }[];
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.map((m) => m.memory).join(" ")).toContain("Pixel");

    const found = searchTexts(await ok(alice, "search_memories", { query: "grey cat Pixel", top_k: 3 }));
    expect(found["alice/default"]?.[0]).toContain("Pixel");
    const sister = searchTexts(await ok(alice, "search_memories", { query: "marine biologist sister" }));
    expect(sister["alice/default"]?.join(" ")).toContain("Ines");

    const got = await ok(alice, "get_memory", { memory_id: stored[0]?.memory_id });
    expect((got.memory as { cube_id: string }).cube_id).toBe("alice/default");
  });

  it("denies a user a cube that is neither theirs nor shared, until it is shared", async () => {
    const denied = await failure(carol, "search_memories", { query: "cat", cube_ids: ["alice/default"] });
    expect(denied.code).toBe("access_denied");
    expect(denied.hint).toContain("share");
    const asAlice = await failure(carol, "search_memories", { query: "cat", user_id: "alice" });
    expect(asAlice.code).toBe("access_denied");

    const shared = await ok(alice, "share_cube", { cube_id: "alice/default", target_user_id: "carol" });
    expect(shared.share).toMatchObject({ cube_id: "alice/default", user_id: "carol", permission: "read" });
    const found = searchTexts(
      await ok(carol, "search_memories", { query: "grey cat Pixel", cube_ids: ["alice/default"] }),
    );
    expect(found["alice/default"]?.[0]).toContain("Pixel");
    // Read share: carol still may not write to it.
    const write = await failure(carol, "add_memory", { messages: "hello", cube_id: "alice/default" });
    expect(write.code).toBe("access_denied");
  });

  it("says a stdio connection has no scheduler, as a typed error rather than a fake ok", async () => {
    const r = await call(alice, "control_memory_scheduler", { action: "start" });
    expect(r.isError).toBe(true);
    expect(r.data.error).toMatchObject({ code: "unavailable" });
    expect(r.text).toMatch(/no scheduler/);
  });
});
