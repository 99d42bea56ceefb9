/**
 * The llama-cpp chat model on a generated random-weight GGUF (scripts/make-test-gguf.ts).
 * Random weights make the text meaningless, so these tests check mechanics — streaming equals
 * non-streaming, grammar-constrained JSON, LoRA effect, usage, typed errors — not content.
 * Sequential, one model instance per configuration, threads: 1 (2-core CI machines).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { cachedTestGguf, type TestGgufFiles } from "../../../scripts/make-test-gguf.js";
import { createFromConfig } from "../../core/backend-registry.js";
import { LLMOutputError } from "../../core/errors/llm-output-error.js";
import { MissingDependencyError } from "../../core/errors/missing-dependency-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import type { LanguageModel, StreamPart } from "../../core/interfaces/language-model.js";
import { generateObject } from "../shared/generate-object.js";
import { createLlamaCpp, type LlamaCppLanguageModel, loadNodeLlamaCpp } from "./index.js";
import "./register.js";
import { createLlmReranker } from "../llm-reranker/index.js";

const hello = [{ role: "user" as const, content: "hello, what does the user like?" }];

describe.sequential("llama-cpp language model (tiny random GGUF)", () => {
  let files: TestGgufFiles;
  let model: LlamaCppLanguageModel;

  beforeAll(async () => {
    files = cachedTestGguf();
    model = createLlamaCpp({ modelPath: files.modelFile, threads: 1, contextSize: 512 });
    await model.load();
  });

  it("reports its identity and grammar-constrained structured output", () => {
    expect(model.specificationVersion).toBe("v1");
    expect(model.provider).toBe("llama-cpp");
    expect(model.modelId).toBe("tiny-random-llama");
    expect(model.structuredOutput).toBe("grammar");
  });

  it("generates text with usage and a finish reason", async () => {
    const r = await model.doGenerate(hello, { maxTokens: 12 });
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.finishReason).toMatch(/^(length|stop)$/);
    expect(r.usage?.inputTokens).toBeGreaterThan(5);
    expect(r.usage?.outputTokens).toBeGreaterThan(0);
    expect(r.usage?.outputTokens).toBeLessThanOrEqual(12);
    expect(r.usage?.totalTokens).toBe((r.usage?.inputTokens ?? 0) + (r.usage?.outputTokens ?? 0));
  });

  it("is deterministic when greedy (each call starts from a clean context)", async () => {
    const a = await model.doGenerate(hello, { maxTokens: 10 });
    await model.doGenerate([{ role: "user", content: "something else entirely" }], { maxTokens: 5 });
    const b = await model.doGenerate(hello, { maxTokens: 10 });
    expect(b.text).toBe(a.text);
  });

  it("streams deltas whose concatenation equals the non-streamed greedy answer", async () => {
    const whole = await model.doGenerate(hello, { maxTokens: 12, seed: 7 });
    const parts: StreamPart[] = [];
    for await (const p of model.doStream(hello, { maxTokens: 12, seed: 7 })) parts.push(p);
    const deltas = parts.filter((p) => p.type === "text-delta");
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.map((d) => d.delta).join("")).toBe(whole.text);
    const last = parts.at(-1);
    expect(last?.type).toBe("finish");
    if (last?.type === "finish") {
      expect(last.usage).toEqual(whole.usage);
      expect(last.finishReason).toBe(whole.finishReason);
    }
  });

  it("keeps concurrent calls apart (queued on one sequence)", async () => {
    const solo = await model.doGenerate(hello, { maxTokens: 8 });
    const other = [{ role: "user" as const, content: "tea or coffee" }];
    const soloOther = await model.doGenerate(other, { maxTokens: 8 });
    const [a, b] = await Promise.all([
      model.doGenerate(hello, { maxTokens: 8 }),
      model.doGenerate(other, { maxTokens: 8 }),
    ]);
    expect(a.text).toBe(solo.text);
    expect(b.text).toBe(soloOther.text);
  });

  it("stops a stream the consumer leaves early, and stays usable", async () => {
    let seen = 0;
    for await (const p of model.doStream(hello, { maxTokens: 200 })) {
      if (p.type === "text-delta") seen++;
      if (seen === 2) break;
    }
    expect(seen).toBe(2);
    const r = await model.doGenerate(hello, { maxTokens: 4 });
    expect(r.text.length).toBeGreaterThan(0);
  });

  it("honours an abort signal", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(model.doGenerate(hello, { maxTokens: 50, signal: controller.signal })).rejects.toThrow(
      /abort/i,
    );
  });

  it("turns a timeout into a retryable ProviderError", async () => {
    const error = await model.doGenerate(hello, { maxTokens: 1000, timeoutMs: 1 }).catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).retryable).toBe(true);
  });

  it("generateObject with a closed schema returns a valid object or an LLMOutputError with the raw text", async () => {
    const schema = z.object({ label: z.enum(["yes", "no"]) }).strict();
    try {
      const { object, text } = await generateObject(model, hello, schema, { maxTokens: 24 });
      expect(schema.safeParse(object).success).toBe(true);
      expect(text).toContain(object.label);
    } catch (error) {
      expect(LLMOutputError.isInstance(error)).toBe(true);
      expect((error as LLMOutputError).text.length).toBeGreaterThan(0);
    }
  });

  it("json mode without a schema yields parseable JSON or an LLMOutputError", async () => {
    const r = await model.doGenerate(hello, { maxTokens: 24, responseFormat: { type: "json" } });
    expect(r.text.trim().length).toBeGreaterThan(0);
    expect(r.text.trimStart()[0]).toMatch(/[[{"\-\d tfn]/); // the JSON grammar forces a JSON start
  });

  it("a LoRA adapter changes the greedy output", async () => {
    const withLora = createLlamaCpp({
      modelPath: files.modelFile,
      threads: 1,
      contextSize: 512,
      loras: [{ path: files.loraFile, scale: 1 }],
    });
    try {
      expect(withLora.modelId).toBe("tiny-random-llama+tiny-random-llama-lora");
      const base = await model.doGenerate(hello, { maxTokens: 12 });
      const adapted = await withLora.doGenerate(hello, { maxTokens: 12 });
      expect(adapted.text).not.toBe(base.text);
    } finally {
      await withLora.dispose();
    }
  });

  it("drives the llm reranker: scores in 0..10 per document, or an LLMOutputError", async () => {
    const reranker = createLlmReranker({ model, maxTokens: 48 });
    try {
      const scores = await reranker.doRerank("what does the user drink?", ["the user likes tea", "paris"]);
      expect(scores).toHaveLength(2);
      for (const s of scores) expect(s >= 0 && s <= 10).toBe(true);
    } catch (error) {
      expect(LLMOutputError.isInstance(error)).toBe(true);
      expect((error as LLMOutputError).text.length).toBeGreaterThan(0);
    }
  });

  it("resolves through the registry with MemOS-style config", async () => {
    const llm = await createFromConfig<LanguageModel>("llm", {
      backend: "llama-cpp",
      config: {
        model_name_or_path: files.modelFile,
        temperature: 0,
        max_tokens: 6,
        n_threads: 1,
        n_ctx: 256,
      },
    });
    const r = await llm.doGenerate(hello);
    expect(r.usage?.outputTokens).toBeLessThanOrEqual(6);
    await (llm as LlamaCppLanguageModel).dispose();
  });
});

describe("llama-cpp errors", () => {
  it("a missing model file is a NotFoundError with a hint, at creation", () => {
    const error = (() => {
      try {
        createLlamaCpp({ modelPath: "/nonexistent/model.gguf" });
      } catch (e) {
        return e;
      }
    })();
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect((error as NotFoundError).hint).toMatch(/gguf/i);
  });

  it("a missing LoRA file is a NotFoundError", () => {
    const { modelFile } = cachedTestGguf();
    expect(() =>
      createLlamaCpp({ modelPath: modelFile, loras: [{ path: "/nonexistent/lora.gguf" }] }),
    ).toThrow(/LoRA adapter file not found/);
  });

  it("an hf: URI that cannot be resolved offline is a ProviderError telling to download the file", async () => {
    const llm = createLlamaCpp({ modelPath: "hf:memos-test/not-a-model-GGUF:Q4_K_M", download: false });
    const error = await llm.doGenerate(hello).catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).hint).toMatch(/download the GGUF and pass its path/);
  });

  it("registry config without a model path is a ConfigError", async () => {
    await expect(
      createFromConfig("llm", { backend: "llama-cpp", config: { temperature: 0 } }),
    ).rejects.toThrow(/model_name_or_path/);
  });

  it("a missing node-llama-cpp install is a MissingDependencyError naming the package", async () => {
    const error = await loadNodeLlamaCpp("node-llama-cpp-not-installed-xyz").catch((e: unknown) => e);
    expect(MissingDependencyError.isInstance(error)).toBe(true);
    expect((error as MissingDependencyError).message).toContain("node-llama-cpp-not-installed-xyz");
    expect((error as MissingDependencyError).hint).toBe("npm install node-llama-cpp-not-installed-xyz");
  });
});
