/**
 * LoRA adapters in generation, on the generated tiny GGUF and its adapter (scripts/make-test-gguf):
 * greedy output is deterministic, so "the adapter changed the model" and "deactivating restored
 * it" are exact comparisons of text.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf, makeTestGguf, type TestGgufFiles } from "../../../scripts/make-test-gguf.js";
import type { LLMMessage } from "../../core/interfaces/language-model.js";
import { tempDir } from "../../mos/test-helpers.js";
import { createLlamaCpp, type LlamaCppLanguageModel } from "../../providers/llama-cpp/index.js";
import { adaptChatModel, releaseAdaptedModels } from "./adapted-model.js";
import { LoRAMemory } from "./lora-memory.js";

const MESSAGES: LLMMessage[] = [{ role: "user", content: "Tell me something about the sea and the wind." }];

describe.sequential("LoRA adapters change llama.cpp generation (tiny GGUF)", () => {
  const t = tempDir("memos-lora-gen-");
  let files: TestGgufFiles;
  let base: LlamaCppLanguageModel;
  let para: LoRAMemory;
  let baseline: string;

  /** Greedy answer of the chat model with the memory's active adapters. */
  async function answer(): Promise<{ text: string; applied: string[]; warnings: string[]; llm: unknown }> {
    const adapted = await adaptChatModel(base, para.active());
    try {
      const llm = adapted.llm as LlamaCppLanguageModel;
      const { text } = await llm.doGenerate(MESSAGES, { maxTokens: 16, temperature: 0 });
      return { text, applied: adapted.applied, warnings: adapted.warnings, llm };
    } finally {
      adapted.release();
    }
  }

  beforeAll(async () => {
    files = cachedTestGguf();
    base = createLlamaCpp({
      modelPath: files.modelFile,
      threads: 1,
      gpu: false,
      contextSize: 256,
      maxTokens: 16,
    });
    para = new LoRAMemory({ dir: join(t.dir, "cube"), baseModel: files.modelFile });
    await para.add(files.loraFile, { name: "style" });
    baseline = (await base.doGenerate(MESSAGES, { maxTokens: 16, temperature: 0 })).text;
  });
  afterAll(async () => {
    await releaseAdaptedModels(base);
    await base?.dispose();
    t.cleanup();
  });

  it("the base model's greedy answer is not empty (the comparison below means something)", () => {
    expect(baseline.length).toBeGreaterThan(0);
  });

  it("activating the adapter changes the greedy output; deactivating it restores the original", async () => {
    await para.activate("style", { scale: 1 });
    const adapted = await answer();
    expect(adapted.applied).toEqual(["style"]);
    expect(adapted.text.length).toBeGreaterThan(0);
    expect(adapted.text).not.toBe(baseline);
    await para.deactivate("style");
    const restored = await answer();
    expect(restored.applied).toEqual([]);
    expect(restored.text).toBe(baseline);
  });

  it("scale 0 equals no adapter (the adapter is in the context, at zero strength)", async () => {
    await para.activate("style", { scale: 0 });
    const zero = await answer();
    expect(zero.applied).toEqual(["style"]);
    expect(zero.llm).not.toBe(base);
    expect(zero.text).toBe(baseline);
    await para.deactivate("style");
  });

  it("the context is reused while the set is unchanged and recreated when a scale changes", async () => {
    await para.activate("style", { scale: 1 });
    const first = await answer();
    const again = await answer();
    expect(again.llm).toBe(first.llm);
    await para.activate("style", { scale: 0.5 });
    const half = await answer();
    expect(half.llm).not.toBe(first.llm);
    expect(half.text).not.toBe(first.text);
    await para.deactivate("style");
  });

  it("an adapter added for another base model is left out with a warning, never applied", async () => {
    const other = makeTestGguf(join(t.dir, "other"), "tiny", 7);
    const foreign = new LoRAMemory({ dir: join(t.dir, "foreign"), baseModel: other.modelFile });
    await foreign.add(other.loraFile, { name: "theirs", activate: true });
    const adapted = await adaptChatModel(base, foreign.active());
    expect(adapted.llm).toBe(base);
    expect(adapted.applied).toEqual([]);
    expect(adapted.warnings).toEqual([
      expect.stringContaining('"theirs" not applied: it was added for another base model'),
    ]);
  });
});
