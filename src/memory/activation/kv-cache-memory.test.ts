/**
 * Activation memory on the generated random-weight GGUF: real llama.cpp prefix evaluation, state
 * files and restores. Greedy decoding makes "the same answer" a byte-for-byte check.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf } from "../../../scripts/make-test-gguf.js";
import "../../register-all.js";
import { ConfigError } from "../../core/errors/config-error.js";
import type { LLMMessage } from "../../core/interfaces/language-model.js";
import { MemCube } from "../../cube/mem-cube.js";
import { createLlamaCpp, type LlamaCppLanguageModel } from "../../providers/llama-cpp/index.js";
import { KVCacheMemory } from "./kv-cache-memory.js";
import { memoryPrefix } from "./memory-block.js";
import { rebuildActivationMemory } from "./rebuild.js";

const MEMORIES = [
  "Maya's cat is called Pixel",
  "Maya moved to Lisbon in 2021",
  "Maya is allergic to peanuts",
];

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "memos-kv-"));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tinyModel(seed = 1234): LlamaCppLanguageModel {
  return createLlamaCpp({
    modelPath: cachedTestGguf("tiny", seed).modelFile,
    threads: 1,
    gpu: false,
    contextSize: 1024,
    maxTokens: 12,
  });
}

/** A turn whose system prompt opens with `prefix`, as the chat builds it. */
function turn(prefix: string, query: string): LLMMessage[] {
  return [
    { role: "system", content: `${prefix}\nToday is 2025-06-01.\n\n# Citing memories\nCite [i:id].` },
    { role: "user", content: query },
  ];
}

describe.sequential("KVCacheMemory on llama.cpp (generated GGUF)", () => {
  let llm: LlamaCppLanguageModel;
  let other: LlamaCppLanguageModel;

  beforeAll(() => {
    llm = tinyModel();
    other = tinyModel(99); // same shape, other weights: another model
  });
  afterAll(async () => {
    await llm?.dispose();
    await other?.dispose();
  });

  it("greedy continuation after loading a saved state equals the one computed from scratch", async () => {
    const kv = new KVCacheMemory({ cubeDir: tempDir(), engine: llm.activation() });
    const items = MEMORIES.map((memory, i) => ({ id: `m${i}`, memory, metadata: { sources: [] } }));
    const item = await kv.fromTextualMemory(items as never);
    expect(existsSync(kv.stateFile(item.id))).toBe(true);
    expect(item.token_count).toBeGreaterThan(40);
    expect(item.source_memory_ids).toEqual(["m0", "m1", "m2"]);
    const index = JSON.parse(readFileSync(join(kv.dir, "index.json"), "utf8"));
    expect(index.items[0]).toMatchObject({ id: item.id, token_count: item.token_count, bytes: item.bytes });

    for (const query of ["What is my cat called?", "Where do I live?"]) {
      const messages = turn(item.source_text, query);
      const scratch = await llm.doGenerate(messages);
      const cached = await (await kv.modelFor(item)).doGenerate(messages);
      expect(cached.text).toBe(scratch.text);
      expect(cached.text.length).toBeGreaterThan(0);
      // Only the tokens after the prefix were evaluated.
      expect(cached.usage?.cachedInputTokens).toBeGreaterThanOrEqual(item.token_count - 1);
      expect(cached.usage?.cachedInputTokens).toBeLessThanOrEqual(item.token_count + 1);
      expect(cached.usage?.inputTokens).toBe(scratch.usage?.inputTokens);
    }
  });

  it("streams from a saved state the same deltas as from scratch", async () => {
    const kv = new KVCacheMemory({ cubeDir: tempDir(), engine: llm.activation() });
    const item = await kv.extract(memoryPrefix({ memories: [] }));
    kv.add([item]);
    const messages = turn(item.source_text, "Hello?");
    const scratch = await llm.doGenerate(messages);
    let text = "";
    for await (const part of (await kv.modelFor(item)).doStream(messages)) {
      if (part.type === "text-delta") text += part.delta;
    }
    expect(text).toBe(scratch.text);
  });

  it("a state of another model is refused with a ConfigError and never loaded", async () => {
    const dir = tempDir();
    const kv = new KVCacheMemory({ cubeDir: dir, engine: llm.activation() });
    const item = await kv.extract("You are helpful.\n\n# Memories\n[1:m0] Maya's cat is called Pixel");
    kv.add([item]);
    const onOther = kv.withEngine(other.activation());
    const error = await onOther.prefixState(item).catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).message).toMatch(/computed by another model.*not loaded/);
    expect((error as ConfigError).hint).toContain("memos kv build");
    // Even handed the file directly, the model checks before reading it.
    const state = { file: kv.stateFile(item.id), model_fingerprint: item.model_fingerprint, token_count: 1 };
    const direct = await other
      .activation()
      .withPrefixState(state)
      .doGenerate(turn(item.source_text, "hi"))
      .catch((e: unknown) => e);
    expect(ConfigError.isInstance(direct)).toBe(true);
  });

  it("a stale cache is rebuilt when a source memory changes, and reused while none does", async () => {
    const dir = tempDir();
    const cube = await MemCube.create(join(dir, "cube"), { cubeId: "maya/default", userId: "maya" });
    await cube.close();
    const configPath = join(dir, "cube", "config.json");
    const config = JSON.parse(readFileSync(configPath, "utf8"));
    config.act_mem = {
      backend: "kv_cache",
      config: {
        memory_filename: "activation_memory.pickle",
        extractor_llm: {
          backend: "llama-cpp",
          config: { model_name_or_path: cachedTestGguf().modelFile, threads: 1, context_size: 1024 },
        },
      },
    };
    writeFileSync(configPath, JSON.stringify(config));
    const opened = await MemCube.open(join(dir, "cube"));
    try {
      const kv = opened.activation as KVCacheMemory;
      expect(kv).toBeInstanceOf(KVCacheMemory);
      const [first] = await opened.text.add(MEMORIES.slice(0, 2));
      const built = await rebuildActivationMemory({ activation: kv, store: opened.text.store });
      expect(built.rebuilt).toBe(true);
      expect(built.item.source_text).toContain("Maya's cat is called Pixel");

      const again = await rebuildActivationMemory({ activation: kv, store: opened.text.store });
      expect(again).toMatchObject({ rebuilt: false, item: { id: built.item.id } });

      await opened.text.update(first!.id, { memory: "Maya's cat is called Byte" });
      const after = await rebuildActivationMemory({ activation: kv, store: opened.text.store });
      expect(after.rebuilt).toBe(true);
      expect(after.dropped).toBe(1);
      expect(after.item.source_text).toContain("Maya's cat is called Byte");
      expect(after.item.source_text).not.toContain("Pixel");
      expect(kv.getAll().map((i) => i.id)).toEqual([after.item.id]);
      expect(existsSync(kv.stateFile(built.item.id))).toBe(false);

      // A cube dump carries the caches; a cube made from it gets act_mem and the caches.
      const dumped = join(dir, "dump");
      await opened.dump(dumped);
      expect(existsSync(join(dumped, "activation", `${after.item.id}.kvstate`))).toBe(true);
      const copy = await MemCube.initFromDir(dumped, { dir: join(dir, "copy"), cubeId: "maya/copy" });
      try {
        expect(copy.activation?.getAll()).toEqual(kv.getAll());
        expect(JSON.parse(readFileSync(join(dir, "copy", "config.json"), "utf8")).act_mem).toEqual({
          backend: "kv_cache",
          config: { memory_filename: "activation_memory.pickle" },
        });
        const again = await rebuildActivationMemory({
          activation: (copy.activation as KVCacheMemory).withEngine(llm.activation()),
          store: copy.text.store,
        });
        expect(again).toMatchObject({ rebuilt: false, item: { id: after.item.id } });
      } finally {
        await copy.close();
      }
    } finally {
      await opened.close();
    }
  });

  it("dump/load round trip: the loaded state answers as the original", async () => {
    const source = new KVCacheMemory({ cubeDir: tempDir(), engine: llm.activation() });
    const items = MEMORIES.map((memory, i) => ({ id: `m${i}`, memory, metadata: { sources: [] } }));
    const item = await source.fromTextualMemory(items as never);
    const dumped = tempDir();
    expect(source.dump(dumped)).toBe(1);

    const target = new KVCacheMemory({ cubeDir: tempDir(), engine: llm.activation() });
    expect(target.load(dumped)).toBe(1);
    expect(target.getAll()).toEqual(source.getAll());
    const messages = turn(item.source_text, "What am I allergic to?");
    const original = await (await source.modelFor(item)).doGenerate(messages);
    const loaded = await (await target.modelFor(target.get(item.id)!)).doGenerate(messages);
    expect(loaded.text).toBe(original.text);
    expect(target.delete([item.id])).toBe(1);
    expect(existsSync(target.stateFile(item.id))).toBe(false);
    expect(source.getAll()).toHaveLength(1);
  });

  it("getCache of several caches builds one combined prefix once, kept by their set of ids", async () => {
    const kv = new KVCacheMemory({ cubeDir: tempDir(), engine: llm.activation() });
    const a = await kv.extract("You are helpful.\n\n# Memories\n[1:m0] Pixel is a cat", {
      sourceMemoryIds: ["m0"],
    });
    const b = await kv.extract("[2:m1] Lisbon is home", { sourceMemoryIds: ["m1"] });
    kv.add([a, b]);
    const merged = await kv.getCache([a.id, b.id]);
    expect(merged?.source_memory_ids).toEqual(["m0", "m1"]);
    expect(merged?.token_count).toBeGreaterThan(a.token_count);
    expect((await kv.getCache([b.id, a.id]))?.id).toBe(merged?.id);
    expect(await kv.getCache([a.id])).toEqual(a);
  });
});

describe("KVCacheMemory without a model", () => {
  it("a damaged index is a clear error, and deleteAll clears it", () => {
    const dir = tempDir();
    const kv = new KVCacheMemory({ cubeDir: dir });
    expect(kv.getAll()).toEqual([]);
    mkdirSync(kv.dir, { recursive: true });
    writeFileSync(join(kv.dir, "index.json"), '{"version": 1, "items": [{"id": 3}]}');
    expect(() => kv.getAll()).toThrow(/index\.json: items\.0\.id/);
    expect(kv.deleteAll()).toBe(0);
    expect(kv.getAll()).toEqual([]);
  });

  it("computing a cache without a model says how to configure one", async () => {
    const error = await new KVCacheMemory({ cubeDir: tempDir() }).extract("text").catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).hint).toContain("llama-cpp");
  });
});
