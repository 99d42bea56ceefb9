/**
 * The CLI with tree cubes and fine mode. MEMOS_LLM names a llama-cpp model; the test re-registers
 * that backend with a scripted model, so fine mode runs deterministically and fast (the
 * random-weight GGUF robustness run lives in robustness.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { registerBackend } from "../core/backend-registry.js";
import { MemCube } from "../cube/mem-cube.js";
import { MemosHome } from "../mos/home.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";
import { json, memos } from "./test-helpers.js";

const home = mkdtempSync(join(tmpdir(), "memos-tree-cli-"));
const saved = process.env.MEMOS_LLM;

const scripted = createScriptedLanguageModel([
  {
    match: "Extract the memories.",
    reply: {
      memories: [
        {
          key: "home city",
          memory_type: "UserMemory",
          value: "The user moved to Lisbon in May 2025.",
          tags: ["home"],
        },
      ],
      background: "Moving.",
    },
  },
  {
    match: /^Query: /,
    reply: { rephrased_query: "which city does the user live in", keys: ["home city"], tags: ["home"] },
  },
  { match: () => true, reply: { relation: "independent", reason: "-" } },
]);

beforeAll(async () => {
  delete process.env.MEMOS_LLM;
  // Same name MEMOS_LLM uses for local models, so the env path is the one a user takes.
  registerBackend("llm", "llama-cpp", () => scripted, z.looseObject({}));
  expect((await memos("init", "--dir", home)).code).toBe(0);
});
afterEach(() => {
  delete process.env.MEMOS_LLM;
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  if (saved === undefined) delete process.env.MEMOS_LLM;
  else process.env.MEMOS_LLM = saved;
});

/** Switch the home's default cube to tree_text (a fresh store). */
function makeDefaultCubeTree(): string {
  const dir = join(home, "cubes", "default__default");
  const path = join(dir, "config.json");
  const config = JSON.parse(readFileSync(path, "utf8"));
  config.text_mem = {
    backend: "tree_text",
    config: {
      embedder: { backend: "glove", config: {} },
      graph_db: { backend: "sqlite", config: { path: "tree.db" } },
    },
  };
  writeFileSync(path, JSON.stringify(config));
  return dir;
}

describe.sequential("memos CLI fine mode and tree cubes", () => {
  it("--mode fine without an LLM: one line, exit 2, saying how to configure one", async () => {
    for (const argv of [
      ["add", "I moved to Lisbon"],
      ["search", "where do I live"],
    ]) {
      const r = await memos(...argv, "--mode", "fine", "--dir", home);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/--mode fine needs an LLM.*MEMOS_LLM=/);
    }
  });

  it("general cube: --mode fine extracts with MEMOS_LLM and searches with a parsed query", async () => {
    process.env.MEMOS_LLM = "llama-cpp:/models/any.gguf";
    const added = await memos(
      "add",
      "I moved to Lisbon last week",
      "--mode",
      "fine",
      "--dir",
      home,
      "--json",
    );
    expect(added.code).toBe(0);
    expect(json(added).added.map((m: { memory: string }) => m.memory)).toEqual([
      "The user moved to Lisbon in May 2025.",
    ]);
    const found = await memos("search", "where do I live", "--mode", "fine", "--dir", home, "--json");
    expect(found.code).toBe(0);
    expect(json(found).results[0].memory).toBe("The user moved to Lisbon in May 2025.");
  });

  it("tree cube: fine add, fine search with usage, history and rollback", async () => {
    const dir = makeDefaultCubeTree();
    process.env.MEMOS_LLM = "llama-cpp:/models/any.gguf";
    const added = await memos(
      "add",
      "I moved to Lisbon last week",
      "--mode",
      "fine",
      "--dir",
      home,
      "--json",
    );
    expect(added.code).toBe(0);
    const id = json(added).added[0].id as string;
    const found = await memos("search", "where do I live", "--mode", "fine", "--dir", home, "--json");
    expect(found.code).toBe(0);
    expect(json(found).results[0]).toMatchObject({ id, memory: "The user moved to Lisbon in May 2025." });

    // Versions written through the library, read and rolled back through the CLI.
    const cube = await MemCube.open(dir);
    await cube.text.update(id, { memory: "The user moved to Porto in June 2025." });
    expect(cube.text.store.provider).toContain("sqlite");
    expect((await cube.text.get(id)).metadata.usage).toHaveLength(1); // the fine search above
    await cube.close();
    const history = await memos("history", id, "--dir", home, "--json");
    expect(history.code).toBe(0);
    expect(json(history).history.map((h: { memory: string }) => h.memory)).toEqual([
      "The user moved to Lisbon in May 2025.",
    ]);
    const rolled = await memos("rollback", id, "--to", "1", "--dir", home, "--json");
    expect(rolled.code).toBe(0);
    expect(json(rolled)).toMatchObject({
      memory: "The user moved to Lisbon in May 2025.",
      metadata: { version: 3 },
    });

    // Fast mode needs no LLM on a tree cube.
    delete process.env.MEMOS_LLM;
    const fast = await memos("add", "I adopted a beagle called Rex", "--dir", home, "--json");
    expect(fast.code).toBe(0);
    expect(json(fast).warnings).toEqual([]);
    const plain = await memos("search", "what is my dog called", "--dir", home, "--json");
    expect(json(plain).results[0].memory).toContain("Rex");
    expect(MemosHome.open(home).readableCubes("default")).toEqual(["default/default"]);
  });
});
