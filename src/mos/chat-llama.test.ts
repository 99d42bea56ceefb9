/**
 * Chat end to end through the llama.cpp backend on the generated random-weight GGUF: real
 * tokenization, chat template, prompt evaluation and sampling. The words are noise; the point is
 * that the whole path (search → prompt → model → answer → history) runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf } from "../../scripts/make-test-gguf.js";
import { createLlamaCpp, type LlamaCppLanguageModel } from "../providers/llama-cpp/index.js";
import { MOS } from "./mos.js";
import { tempDir } from "./test-helpers.js";

const NOW = new Date("2025-06-01T00:00:00Z");

describe.sequential("MOS.chat through llama.cpp (generated GGUF)", () => {
  const t = tempDir("memos-chat-gguf-");
  let llm: LlamaCppLanguageModel;
  let mos: MOS;

  beforeAll(async () => {
    llm = createLlamaCpp({
      modelPath: cachedTestGguf().modelFile,
      threads: 1,
      gpu: false,
      contextSize: 1024,
      maxTokens: 24,
    });
    mos = await MOS.init({ home: t.dir, user: "maya", llm });
    // A fixed id, date and "today" make the prompt, and so the greedy answer, the same on every run.
    const cube = await mos.openCube("maya/default", { action: "write" });
    await cube.text.add([
      {
        id: "0d5e3a52-8f0b-4c4e-9d55-6f2b8e1c7a01",
        memory: "Maya's cat is called Pixel",
        metadata: { created_at: "2025-05-08T10:00:00.000Z" },
      },
    ]);
  });
  afterAll(async () => {
    await mos?.close();
    await llm?.dispose();
    t.cleanup();
  });

  it("answers (non-empty), with the memory in the prompt", async () => {
    const r = await mos.chat("What is my cat called?", { topK: 1, now: NOW });
    expect(r.answer.trim().length).toBeGreaterThan(0);
    expect(r.memories.map((m) => m.item.memory)).toEqual(["Maya's cat is called Pixel"]);
    expect(r.usage?.inputTokens).toBeGreaterThan(50);
    expect(r.usage?.inputTokens).toBeLessThan(1024);
    // Whatever the noise says, only ids from the prompt survive as citations.
    expect(r.citations.every((c) => c.memoryId === r.memories[0]?.memoryId)).toBe(true);
    expect(mos.chatHistory().map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("streams", async () => {
    const s = await mos.chat("And my cat?", { topK: 1, stream: true, now: NOW });
    let text = "";
    for await (const d of s.textStream) text += d;
    const r = await s.result;
    expect(r.answer).toBe(text);
    expect(r.answer.length).toBeGreaterThan(0);
  });
});
