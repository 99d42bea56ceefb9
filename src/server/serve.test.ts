/**
 * Serving over a real socket (loopback): without keys the server listens on 127.0.0.1 only and
 * says so, and refuses a public address; `memos key` and `memos serve` from the CLI.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startServer } from "../cli/commands/serve.js";
import { runCli } from "../cli/main.js";
import { MOS } from "../mos/mos.js";
import { serve } from "./serve.js";

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "memos-serve-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function io() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (t: string) => {
        out.stdout += t;
      },
      stderr: (t: string) => {
        out.stderr += t;
      },
      interactive: false,
    },
  };
}

describe("serve", () => {
  it("without keys: 127.0.0.1 only, said so; a public host is refused", async () => {
    const mos = await MOS.init({ home: temp(), user: "alice" });
    const lines: string[] = [];
    await expect(serve({ mos, host: "0.0.0.0", port: 0, log: (l) => lines.push(l) })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 without API keys/,
    );
    const server = await serve({ mos, port: 0, log: (l) => lines.push(l) });
    try {
      expect(server.host).toBe("127.0.0.1");
      expect(server.auth).toBe(false);
      expect(lines.join("\n")).toMatch(/No API key configured: listening on 127\.0\.0\.1 only/);
      const res = await fetch(`${server.url}/health`);
      expect(await res.json()).toMatchObject({ code: 200, data: { auth: "none" } });
    } finally {
      await server.close();
    }
  });

  it("memos key create prints the key once; memos serve --seed makes, seeds and serves the home, needing the key", async () => {
    const dir = join(temp(), "home");
    const first = io();
    const server = await startServer({ port: "0", dir, seed: true }, first.io);
    await server.close();
    expect(first.out.stderr).toMatch(/Made a MemOS home/);
    expect(first.out.stderr).toMatch(
      /Seeded cube "default\/default" with examples\/sample-chat\.json \(\d+ memories\)/,
    );
    for (const what of ["REST API", "API docs", "browser", "MCP"]) expect(first.out.stdout).toContain(what);
    expect(first.out.stdout).toMatch(/MCP\s+http:\/\/127\.0\.0\.1:\d+\/mcp/);

    const created = io();
    expect(await runCli(["key", "create", "--user", "default", "--dir", dir], created.io)).toBe(0);
    const key = created.out.stdout.trim();
    expect(key).toMatch(/^memos_[0-9a-f]{12}_/);
    expect(created.out.stderr).toMatch(/admin key/);
    const listed = io();
    await runCli(["key", "list", "--dir", dir, "--json"], listed.io);
    expect(JSON.parse(listed.out.stdout).keys).toEqual([
      expect.objectContaining({ user_id: "default", role: "root" }),
    ]);
    expect(listed.out.stdout).not.toContain(key);

    const second = io();
    const again = await startServer({ port: "0", host: "127.0.0.1", dir, seed: true }, second.io);
    try {
      expect(second.out.stderr).not.toMatch(/Seeded/);
      expect(again.auth).toBe(true);
      const body = JSON.stringify({ query: "What is the name of her pet?", top_k: 3 });
      const denied = await fetch(`${again.url}/product/search`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      expect(denied.status).toBe(401);
      const ok = await fetch(`${again.url}/product/search`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      });
      const found = (await ok.json()) as { data: { text_mem: { memories: { memory: string }[] }[] } };
      expect(found.data.text_mem[0]?.memories.map((m) => m.memory).join(" ")).toMatch(/Maya/);
      const revoked = io();
      expect(await runCli(["key", "revoke", "--user", "default", "--dir", dir], revoked.io)).toBe(0);
      const after = await fetch(`${again.url}/product/search`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      });
      expect(after.status).toBe(401);
    } finally {
      await again.close();
    }
  });
});
