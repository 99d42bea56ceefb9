import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, memos } from "./test-helpers.js";

const root = new URL("../../", import.meta.url).pathname;
const sample = join(root, "examples/sample-chat.json");
const tmp = mkdtempSync(join(tmpdir(), "memos-cli-"));
const home = join(tmp, "home");

interface Hit {
  id: string;
  memory: string;
  cube_id: string;
  score: number;
  metadata: { sources: { speaker?: string; content?: string; chat_time?: string }[]; version: number };
}

async function count(): Promise<number> {
  return json<{ memories: unknown[] }>(await memos("list", "--dir", home, "--json", "--limit", "100000"))
    .memories.length;
}

beforeAll(async () => {
  const init = await memos("init", "--dir", home, "--user", "maya", "--json");
  expect(init.code).toBe(0);
  expect(json(init)).toMatchObject({ user: "maya", cube_id: "maya/default", created: true });
  const add = await memos("add", "--dir", home, "--file", sample, "--json");
  expect(add.stderr).toBe("");
  expect(add.code).toBe(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("memos CLI", () => {
  it("search returns the answering turn with provenance and timestamps", async () => {
    const r = await memos(
      "search",
      "--dir",
      home,
      "What is the name of Maya's cat?",
      "--json",
      "--top-k",
      "3",
    );
    expect(r.code).toBe(0);
    const { results } = json<{ results: Hit[] }>(r);
    const hit = results.find((h) => h.memory.includes("Pixel"));
    expect(hit?.cube_id).toBe("maya/default");
    const turn = hit?.metadata.sources.find((s) => s.content?.includes("Pixel"));
    expect(turn).toMatchObject({ speaker: "Maya", chat_time: "2025-03-09T18:40:00.000Z" });
  });

  it("prints readable results without --json", async () => {
    const r = await memos("search", "--dir", home, "half marathon training");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1\. \[/);
    expect(r.stdout).toContain("marathon");
  });

  it("add TEXT, get, history, rollback, delete", async () => {
    const added = json<{ added: Hit[] }>(
      await memos("add", "--dir", home, "My bike is a red Brompton", "--json"),
    );
    const id = added.added[0]?.id as string;
    const got = json<Hit>(await memos("get", "--dir", home, id, "--json"));
    expect(got.memory).toContain("Brompton");
    const hist = json<{ current: { version: number } }>(await memos("history", "--dir", home, id, "--json"));
    expect(hist.current.version).toBe(1);
    expect((await memos("rollback", "--dir", home, id, "--to", "7")).code).toBe(2);
    const before = await count();
    expect((await memos("delete", "--dir", home, id)).code).toBe(0);
    expect(await count()).toBe(before - 1);
    const missing = await memos("get", "--dir", home, id);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^memos: no memory .* \(hint: /);
  });

  it("list --type filters by memory type", async () => {
    const r = json<{ memories: { metadata: { memory_type: string } }[] }>(
      await memos("list", "--dir", home, "--type", "LongTermMemory", "--json"),
    );
    expect(r.memories.length).toBeGreaterThan(0);
    expect(r.memories.every((m) => m.metadata.memory_type === "LongTermMemory")).toBe(true);
  });

  it("dump writes a MemOS cube directory that load imports as a new cube", async () => {
    const out = join(tmp, "dumped");
    const d = await memos("dump", "--dir", home, out, "--json");
    expect(d.code).toBe(0);
    const exported = JSON.parse(readFileSync(join(out, "textual_memory.json"), "utf8"));
    expect(exported.total_nodes).toBe(exported.nodes.length);
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).model_schema).toBe(
      "memos.configs.mem_cube.GeneralMemCubeConfig",
    );
    expect((await memos("dump", "--dir", home, out)).code).toBe(2); // non-empty dir refused
    const l = json<{ cube_id: string; memories: number }>(
      await memos("load", "--dir", home, out, "--cube", "maya/copy", "--json"),
    );
    expect(l).toMatchObject({ cube_id: "maya/copy", memories: exported.nodes.length });
    const r = json<{ results: Hit[] }>(
      await memos("search", "--dir", home, "Pixel", "--cube", "maya/copy", "--json"),
    );
    expect(r.results[0]?.cube_id).toBe("maya/copy");
    // Without --cube, search reads every cube of the user.
    const all = json<{ results: Hit[] }>(
      await memos("search", "--dir", home, "Pixel", "--json", "--top-k", "20"),
    );
    expect(new Set(all.results.map((h) => h.cube_id))).toEqual(new Set(["maya/default", "maya/copy"]));
  });

  it("loads a MemOS-format cube fixture", async () => {
    const r = await memos("load", "--dir", home, join(root, "test/fixtures/memos-general-cube"), "--json");
    expect(r.code).toBe(0);
    // A loaded cube is named in the loader's namespace (never the source owner's: no squatting).
    expect(json(r)).toMatchObject({ cube_id: "maya/general_cube", memories: 2, reembedded: true });
  });

  describe("bad input: one line with a hint, exit 2, nothing written", () => {
    const cases: [string, () => string[]][] = [
      ["unknown flag", () => ["add", "--dir", home, "--bogus", "x"]],
      ["empty query", () => ["search", "--dir", home, "  "]],
      ["missing home", () => ["search", "--dir", join(tmp, "nowhere"), "cat"]],
      ["missing cube", () => ["search", "--dir", home, "cat", "--cube", "maya/none"]],
      ["unknown user", () => ["list", "--dir", home, "--user", "zed"]],
      ["bad top-k", () => ["search", "--dir", home, "cat", "--top-k", "0"]],
      ["missing file", () => ["add", "--dir", home, "--file", join(tmp, "nope.json")]],
    ];
    for (const [name, argv] of cases) {
      it(name, async () => {
        const before = await count();
        const r = await memos(...argv());
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toContain("hint:");
        expect(await count()).toBe(before);
      });
    }

    it("malformed chat file and non-UTF-8 file", async () => {
      mkdirSync(join(tmp, "bad"), { recursive: true });
      const malformed = join(tmp, "bad/chat.json");
      writeFileSync(
        malformed,
        JSON.stringify([
          { role: "user", content: "fine" },
          { role: "user", content: 42 },
        ]),
      );
      const latin1 = join(tmp, "bad/notes.txt");
      writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in Latin-1
      const before = await count();
      for (const file of [malformed, latin1]) {
        const r = await memos("add", "--dir", home, "--file", file);
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toContain("hint:");
      }
      expect(await count()).toBe(before);
    });
  });

  it("the real binary exits 2 on bad input and 0 on success", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", join(root, "src/cli/bin.ts"), ...args], {
        encoding: "utf8",
        cwd: root,
      });
    const bad = run("search", "--dir", home, "");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("hint:");
    const ok = run("list", "--dir", home, "--json", "--limit", "1");
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).memories).toHaveLength(1);
  });
});
