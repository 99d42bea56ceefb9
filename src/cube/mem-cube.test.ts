import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors/config-error.js";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { MemCube } from "./mem-cube.js";

const root = new URL("../../", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "memos-cube-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Everything that must survive a round trip, ordered so two cubes compare equal. */
async function snapshot(cube: MemCube) {
  const text = await cube.text.store.exportAll();
  const prefs = (await cube.preference?.getAll()) ?? [];
  const strip = (nodes: { id: string; memory: string; metadata: Record<string, unknown> }[]) =>
    nodes
      .map(({ id, memory, metadata }) => {
        const { embedding: _e, ...rest } = metadata;
        return { id, memory, metadata: rest };
      })
      .sort((a, b) => a.id.localeCompare(b.id));
  return {
    nodes: strip(text.nodes),
    edges: [...text.edges].sort((a, b) =>
      `${a.source}${a.target}${a.type}`.localeCompare(`${b.source}${b.target}${b.type}`),
    ),
    prefs: strip(prefs),
  };
}

describe("MemCube", () => {
  let source: MemCube;
  let dumped: string;

  beforeAll(async () => {
    source = await MemCube.create(join(tmp, "src"), {
      cubeId: "maya/notes",
      userId: "maya",
      textBackend: "tree_text",
    });
    const added = await source.text.addMessages(
      [
        {
          role: "user",
          speaker: "Maya",
          content: "I adopted a grey cat called Pixel.",
          chat_time: "2025-03-09T18:40:00Z",
        },
        { role: "assistant", content: "Congratulations on Pixel!", chat_time: "2025-03-09T18:41:00Z" },
      ],
      { userId: "maya", sessionId: "s1" },
    );
    const [first] = added;
    const [other] = await source.text.add(["Maya runs along the river every morning."], {
      userId: "maya",
      sessionId: "s1",
    });
    await source.text.store.addEdges([
      { source: first?.id as string, target: other?.id as string, type: "RELATE_TO" },
    ]);
    await source.text.update(other?.id as string, { memory: "Maya runs along the Tagus every morning." });
    await source.preference?.add(
      [
        {
          memory: "The user is vegetarian",
          metadata: {
            memory_type: "PreferenceMemory",
            preference_type: "explicit_preference",
            user_id: "maya",
          },
        },
      ],
      { userId: "maya" },
    );
    dumped = join(tmp, "dumped");
    await source.dump(dumped);
  });
  afterAll(() => source.close());

  it("dumps MemOS's layout and refuses a non-empty directory unless forced", async () => {
    expect(JSON.parse(readFileSync(join(dumped, "config.json"), "utf8"))).toMatchObject({
      model_schema: "memos.configs.mem_cube.GeneralMemCubeConfig",
      cube_id: "maya/notes",
      text_mem: { backend: "tree_text" },
      pref_mem: { backend: "pref_text" },
    });
    expect(existsSync(join(dumped, "textual_memory.json"))).toBe(true);
    expect(existsSync(join(dumped, "preference_textual_memories.json"))).toBe(true);
    await expect(source.dump(dumped)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(source.dump(dumped, { force: true })).resolves.toBe(dumped);
  });

  it("dump → initFromDir preserves every item, edge, version and preference exactly", async () => {
    const copy = await MemCube.initFromDir(dumped, { dir: join(tmp, "copy") });
    try {
      expect(copy.cubeId).toBe("maya/notes");
      const [a, b] = [await snapshot(source), await snapshot(copy)];
      expect(b.nodes.length).toBeGreaterThan(1);
      expect(b.edges.some((e) => e.type === "RELATE_TO")).toBe(true);
      expect(b.nodes.some((n) => (n.metadata.version as number) === 2)).toBe(true);
      expect(b.prefs).toHaveLength(1);
      expect(b).toEqual(a);
    } finally {
      await copy.close();
    }
  });

  it("loads a MemOS cube directory (general memory points, other embedder) and can load only some types", async () => {
    const cube = await MemCube.create(join(tmp, "imported"), { cubeId: "u/imported", userId: "u" });
    try {
      const counts = await cube.load(join(root, "test/fixtures/memos-general-cube"));
      expect(counts).toEqual({ text: 2, preference: 0, parametric: 0 });
      const [hit] = await cube.text.search("beekeeping on the roof", { topK: 1 });
      expect(hit?.item.metadata.entities).toEqual(["bees", "roof"]);
      expect(await cube.load(dumped, { types: ["pref_mem"] })).toEqual({
        text: 0,
        preference: 1,
        parametric: 0,
      });
    } finally {
      await cube.close();
    }
  });

  it("holds a naive text memory (MemOS naive_text): stored in the cube, word-overlap search, round trip", async () => {
    const naive = await MemCube.create(join(tmp, "naive"), {
      cubeId: "maya/naive",
      userId: "maya",
      textBackend: "naive_text",
    });
    try {
      await naive.text.add(["Alice lives in Paris", "Bob plays the cello"], { userId: "maya" });
      const [hit] = await naive.text.search("where does Alice live", { topK: 1 });
      expect(hit?.item.memory).toBe("Alice lives in Paris");
      expect(hit?.paths).toEqual(["keyword"]);
      expect(await naive.text.search("zebra xylophone", { topK: 5 })).toEqual([]);
      await naive.dump(join(tmp, "naive-dump"));
    } finally {
      await naive.close();
    }
    const reopened = await MemCube.initFromDir(join(tmp, "naive-dump"), { dir: join(tmp, "naive-copy") });
    try {
      expect((reopened.config.text_mem as { backend: string }).backend).toBe("naive_text");
      expect((await reopened.text.search("cello", { topK: 1 }))[0]?.item.memory).toBe("Bob plays the cello");
    } finally {
      await reopened.close();
    }
  });

  it("validates model_schema on open", async () => {
    const bad = join(tmp, "bad");
    cpSync(dumped, bad, { recursive: true });
    const config = JSON.parse(readFileSync(join(bad, "config.json"), "utf8"));
    writeFileSync(
      join(bad, "config.json"),
      JSON.stringify({ ...config, model_schema: "something.else.Config" }),
    );
    await expect(MemCube.open(bad)).rejects.toBeInstanceOf(ConfigError);
  });

  describe("initFromRemote", () => {
    let server: Server;
    let base: string;
    let archive: Buffer;

    beforeAll(async () => {
      execFileSync("tar", ["-czf", join(tmp, "cube.tar.gz"), "-C", tmp, "dumped"]);
      archive = readFileSync(join(tmp, "cube.tar.gz"));
      server = createServer((req, res) => {
        // No keep-alive: on a loaded machine the next test's fetch could reuse a socket this server
        // is closing (its 5 s keep-alive timeout) and fail with "fetch failed".
        res.setHeader("connection", "close");
        if (req.url === "/cube.tar.gz") res.end(archive);
        else res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("unpacks a .tar.gz whose sha256 matches", async () => {
      const sha256 = createHash("sha256").update(archive).digest("hex");
      const cube = await MemCube.initFromRemote(`${base}/cube.tar.gz`, {
        dir: join(tmp, "remote"),
        sha256,
        cubeId: "maya/remote",
      });
      try {
        expect((await snapshot(cube)).nodes).toEqual((await snapshot(source)).nodes);
      } finally {
        await cube.close();
      }
    });

    it("refuses a wrong or missing sha256 and creates nothing", async () => {
      const dir = join(tmp, "remote-bad");
      await expect(
        MemCube.initFromRemote(`${base}/cube.tar.gz`, { dir, sha256: "0".repeat(64) }),
      ).rejects.toThrow(/sha256 mismatch/);
      await expect(MemCube.initFromRemote(`${base}/cube.tar.gz`, { dir })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      expect(existsSync(dir)).toBe(false);
    });

    it("clones a git repository holding a cube", async () => {
      const repo = join(tmp, "cube-repo.git");
      mkdirSync(repo);
      cpSync(dumped, repo, { recursive: true });
      const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
      git("init", "-q");
      git("add", ".");
      git("-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "cube");
      const cube = await MemCube.initFromRemote(repo, { dir: join(tmp, "from-git"), cubeId: "maya/git" });
      try {
        expect((await snapshot(cube)).prefs).toHaveLength(1);
      } finally {
        await cube.close();
      }
    });
  });
});
