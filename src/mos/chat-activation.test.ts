/**
 * Chat with activation memory: the pinned memory block opens the system prompt byte for byte
 * the same on every turn (what a server's prefix cache needs), and on llama.cpp the block's saved
 * KV state answers exactly as evaluating the whole prompt does, rebuilt when its memories change.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf } from "../../scripts/make-test-gguf.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { KVCacheMemory } from "../memory/activation/kv-cache-memory.js";
import { memoryPrefix } from "../memory/activation/memory-block.js";
import type { ActivationMemoryView } from "../memory/activation/rebuild.js";
import { createLlamaCpp, type LlamaCppLanguageModel } from "../providers/llama-cpp/index.js";
import { mountWeb } from "../server/web/index.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";
import { buildPinnedSystemPrompt } from "./chat-prompt.js";
import { MOS } from "./mos.js";
import { tempDir } from "./test-helpers.js";

const NOW = new Date("2025-06-01T00:00:00Z");
const MEMORIES = ["Maya's cat is called Pixel", "Maya lives in Lisbon", "Maya plays the cello"].map(
  (memory, i) => ({
    id: `0d5e3a52-8f0b-4c4e-9d55-6f2b8e1c7a0${i}`,
    memory,
    metadata: { created_at: `2025-05-0${i + 1}T10:00:00.000Z` },
  }),
);

/** A home whose user "maya" has a default cube with `act_mem` set, holding MEMORIES. */
async function homeWithActivation(dir: string, llm: LanguageModel): Promise<MOS> {
  const first = await MOS.init({ home: dir, user: "maya", llm });
  const cube = await first.openCube("maya/default", { action: "write" });
  await cube.text.add(MEMORIES);
  const configPath = join(cube.dir, "config.json");
  await first.close();
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.act_mem = {
    backend: "kv_cache",
    config: { memory_filename: "activation_memory.pickle", max_memories: 8 },
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return MOS.open({ home: dir, llm });
}

describe("chat with activation memory on an OpenAI-compatible model (stable prefix)", () => {
  const t = tempDir("memos-chat-act-");
  const llm = createScriptedLanguageModel([{ match: () => true, reply: "Noted." }]);
  let mos: MOS;
  beforeAll(async () => {
    mos = await homeWithActivation(t.dir, llm);
  });
  afterAll(async () => {
    await mos?.close();
    t.cleanup();
  });

  it("keeps the memory block a byte-identical prefix of the system prompt across turns", async () => {
    const a = await mos.chat("What is my cat called?", { topK: 2, now: NOW });
    const b = await mos.chat("Which instrument do I play?", {
      topK: 2,
      now: new Date("2025-06-02T00:00:00Z"),
    });
    const [first, second] = llm.calls.slice(-2).map((c) => c.messages[0]?.content ?? "");
    const prefix = memoryPrefix({
      memories: MEMORIES.map((m, i) => ({ index: i + 1, memoryId: m.id, item: a.memories[i]!.item })),
    });
    expect(first?.startsWith(prefix)).toBe(true);
    expect(second?.startsWith(prefix)).toBe(true);
    // What differs between the turns (date, query) comes after the block, never inside it.
    expect(first).not.toBe(second);
    expect(prefix).not.toContain("2025-06-0");
    expect(a.memories.map((m) => m.index)).toEqual([1, 2, 3]);
    expect(b.memories.slice(0, 3).map((m) => m.memoryId)).toEqual(MEMORIES.map((m) => m.id));
  });

  it("a new memory is appended after the block, so the earlier bytes stay a prefix", async () => {
    await mos.chat("What is my cat called?", { topK: 2, now: NOW });
    const before = llm.calls.at(-1)?.messages[0]?.content ?? "";
    const cube = await mos.openCube("maya/default", { action: "write" });
    await cube.text.add([
      { memory: "Maya started learning Portuguese", metadata: { created_at: "2025-05-20T10:00:00.000Z" } },
    ]);
    await mos.chat("What is my cat called?", { topK: 2, now: NOW });
    const after = llm.calls.at(-1)?.messages[0]?.content ?? "";
    const block = before.slice(0, before.indexOf("\nToday is"));
    expect(block.length).toBeGreaterThan(100);
    expect(after.startsWith(block)).toBe(true);
    expect(after.slice(block.length)).toMatch(
      /^\n\[4:[^\]]+\] \(2025-05-20\) Maya started learning Portuguese/,
    );
  });
});

describe.sequential("chat with activation memory on llama.cpp (generated GGUF)", () => {
  const t = tempDir("memos-chat-kv-");
  let llm: LlamaCppLanguageModel;
  let mos: MOS;
  beforeAll(async () => {
    llm = createLlamaCpp({
      modelPath: cachedTestGguf().modelFile,
      threads: 1,
      gpu: false,
      contextSize: 1024,
      maxTokens: 12,
    });
    mos = await homeWithActivation(t.dir, llm);
  });
  afterAll(async () => {
    await mos?.close();
    await llm?.dispose();
    t.cleanup();
  });

  it("answers from the saved state, evaluating only the new tokens, as the whole prompt would", async () => {
    const r = await mos.chat("What is my cat called?", { topK: 1, now: NOW });
    const kv = (await mos.openCube("maya/default")).activation as KVCacheMemory;
    const [item] = kv.getAll();
    expect(item?.source_memory_ids).toEqual(MEMORIES.map((m) => m.id));
    expect(r.usage?.cachedInputTokens).toBeGreaterThanOrEqual((item?.token_count ?? 0) - 1);
    const { system } = buildPinnedSystemPrompt({
      pinned: r.memories.slice(0, 3),
      retrieved: r.memories.slice(3),
      now: NOW,
    });
    const scratch = await llm.doGenerate([
      { role: "system", content: system },
      { role: "user", content: "What is my cat called?" },
    ]);
    expect(r.answer).toBe(scratch.text);
    expect(scratch.usage?.cachedInputTokens).toBeUndefined();
  });

  it("rebuilds the stale cache when a pinned memory changes", async () => {
    const cube = await mos.openCube("maya/default", { action: "write" });
    const kv = cube.activation as KVCacheMemory;
    const before = kv.getAll().map((i) => i.id);
    await cube.text.update(MEMORIES[0]!.id, { memory: "Maya's cat is called Byte" });
    mos.clearChatHistory();
    const r = await mos.chat("What is my cat called?", { topK: 1, now: NOW });
    const after = kv.getAll();
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]?.id);
    expect(after[0]?.source_text).toContain("Maya's cat is called Byte");
    expect(r.usage?.cachedInputTokens).toBeGreaterThanOrEqual((after[0]?.token_count ?? 0) - 1);
  });

  it("with a LoRA adapter active, the cache is the adapted model's and answers as it does", async () => {
    const cube = await mos.openCube("maya/default", { action: "write" });
    const kv = cube.activation as KVCacheMemory;
    const plain = kv.getAll()[0];
    const files = cachedTestGguf();
    const para = await cube.enableParametric();
    await para.add(files.loraFile, { name: "style", baseModel: files.modelFile });
    await para.activate("style", { scale: 1 });
    try {
      mos.clearChatHistory();
      const r = await mos.chat("What is my cat called?", { topK: 1, now: NOW });
      const [item] = kv.getAll();
      expect(item?.model_fingerprint).not.toBe(plain?.model_fingerprint);
      expect(r.usage?.cachedInputTokens).toBeGreaterThanOrEqual((item?.token_count ?? 0) - 1);
      const { system } = buildPinnedSystemPrompt({
        pinned: r.memories.slice(0, 3),
        retrieved: r.memories.slice(3),
        now: NOW,
      });
      const adapted = llm.withLoras([{ path: para.active()[0]!.path, scale: 1 }]);
      const scratch = await adapted.doGenerate([
        { role: "system", content: system },
        { role: "user", content: "What is my cat called?" },
      ]);
      await adapted.dispose();
      expect(r.answer).toBe(scratch.text);
    } finally {
      await para.deactivate("style");
    }
  });

  it("search results and the web overview show the KV cache, stale once its memories change", async () => {
    const web = new Hono();
    mountWeb(web, { mos });
    const overview = async () =>
      ((await (await web.request("/web/api/overview?cube=maya/default")).json()) as { activation: unknown[] })
        .activation;
    const found = await mos.search({ query: "cat" });
    const [cache] = (found.act_mem[0]?.memories ?? []) as ActivationMemoryView[];
    expect(found.act_mem[0]?.cube_id).toBe("maya/default");
    expect(cache?.metadata).toMatchObject({ stale: false, source_memory_ids: MEMORIES.map((m) => m.id) });
    expect(cache?.memory).toContain("Maya's cat is called Byte");
    expect(await overview()).toEqual([cache]);

    const cube = await mos.openCube("maya/default", { action: "write" });
    await cube.text.update(MEMORIES[1]!.id, { memory: "Maya lives in Porto" });
    const later = await mos.search({ query: "cat" });
    const [laterCache] = (later.act_mem[0]?.memories ?? []) as ActivationMemoryView[];
    expect(laterCache?.metadata.stale).toBe(true);
  });
});
