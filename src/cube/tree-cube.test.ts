/** MemCube with `text_mem.backend: "tree_text"`: our config, MemOS's tree config, store mapping. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors/config-error.js";
import { GeneralTextMemory } from "../memory/textual/general.js";
import { TreeTextMemory } from "../memory/textual/tree/index.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";
import { MemCube } from "./mem-cube.js";

const tmp = mkdtempSync(join(tmpdir(), "memos-tree-cube-"));
const fixture = new URL("../../test/fixtures/memos-tree-cube", import.meta.url).pathname;
const savedLlm = process.env.MEMOS_LLM;
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  if (savedLlm === undefined) delete process.env.MEMOS_LLM;
  else process.env.MEMOS_LLM = savedLlm;
});
beforeEach(() => {
  delete process.env.MEMOS_LLM; // the cube's own config decides, not the test machine's
});

let n = 0;
const dir = () => join(tmp, `cube-${++n}`);

/** A cube directory holding MemOS's tree config (graph_db: neo4j) with `patch` applied to text_mem.config. */
function memosTreeCube(patch: Record<string, unknown> = {}): string {
  const d = dir();
  mkdirSync(d);
  const config = JSON.parse(readFileSync(join(fixture, "config.json"), "utf8"));
  Object.assign(config.text_mem.config, patch);
  writeFileSync(join(d, "config.json"), JSON.stringify(config));
  copyFileSync(join(fixture, "textual_memory.json"), join(d, "textual_memory.json"));
  return d;
}

describe("MemCube tree_text", () => {
  it("creates, reopens and dumps a tree cube", async () => {
    const d = dir();
    const cube = await MemCube.create(d, { cubeId: "u/tree", userId: "u", textBackend: "tree_text" });
    expect(cube.text).toBeInstanceOf(TreeTextMemory);
    expect(cube.config.text_mem).toMatchObject({
      backend: "tree_text",
      config: { graph_db: { backend: "sqlite" } },
    });
    await cube.text.add(["Ola paints ceramic tiles"]);
    await cube.close();

    const again = await MemCube.open(d);
    const tree = again.text as TreeTextMemory;
    expect(tree.capacities).toEqual({ working: 20, longTerm: 1500, user: 480 });
    expect(tree.llm).toBeUndefined();
    const [hit] = await tree.search("ceramic tiles", { topK: 1 });
    expect(hit?.item.memory).toBe("Ola paints ceramic tiles");
    const out = await again.dump(join(tmp, "dumped"));
    const dumped = JSON.parse(readFileSync(join(out, "textual_memory.json"), "utf8"));
    expect(dumped.total_nodes).toBe(2); // the memory and its working-memory copy
    await again.close();
  });

  it("opens MemOS's tree config: graph_db neo4j → SQLite, extractor_llm, memory_size, reorganize", async () => {
    // Its embedder is Ollama's nomic-embed-text; here (no Ollama) the offline one stands in.
    const d = memosTreeCube({
      embedder: { backend: "glove", config: {} },
      memory_size: { WorkingMemory: 5, LongTermMemory: 100, UserMemory: 50 },
    });
    const cube = await MemCube.open(d);
    const tree = cube.text as TreeTextMemory;
    expect(tree).toBeInstanceOf(TreeTextMemory);
    expect(tree.store.provider).toContain("sqlite");
    expect(tree.llm?.provider).toContain("ollama"); // built, not contacted
    expect(tree.capacities).toEqual({ working: 5, longTerm: 100, user: 50 });
    // The fixture's nomic vectors do not fit GloVe's 100 dimensions: re-embedded on load.
    expect(await tree.load(d)).toBe(4);
    expect((await tree.store.exportAll()).edges).toHaveLength(1);
    await cube.close();
  });

  it("an injected LLM wins; MEMOS_LLM comes before the config's extractor_llm", async () => {
    const llm = createScriptedLanguageModel([]);
    const glove = { embedder: { backend: "glove", config: {} } };
    const cube = await MemCube.open(memosTreeCube(glove), { llm });
    expect((cube.text as TreeTextMemory).llm).toBe(llm);
    await cube.close();
    process.env.MEMOS_LLM = "openai:gpt-4o-mini";
    const fromEnv = await MemCube.open(memosTreeCube(glove));
    expect((fromEnv.text as TreeTextMemory).llm?.modelId).toBe("gpt-4o-mini");
    await fromEnv.close();
  });

  it("names an unknown store backend in a ConfigError", async () => {
    const d = memosTreeCube({ graph_db: { backend: "cassandra", config: {} } });
    const error = await MemCube.open(d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('"cassandra"');
    expect((error as ConfigError).hint).toContain("sqlite");
  });

  it("general_text cubes still open as GeneralTextMemory", async () => {
    const cube = await MemCube.create(dir(), { cubeId: "u/general", userId: "u" });
    expect(cube.text).toBeInstanceOf(GeneralTextMemory);
    await cube.close();
  });
});
