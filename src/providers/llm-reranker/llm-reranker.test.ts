import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createFromConfig, registerBackend } from "../../core/backend-registry.js";
import { LLMOutputError } from "../../core/errors/llm-output-error.js";
import type { LLMMessage } from "../../core/interfaces/language-model.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import { createScriptedLanguageModel } from "../../testing/scripted-language-model.js";
import "./register.js";
import { rerankPrompt } from "./llm-rerank-prompt.js";
import { createLlmReranker } from "./llm-reranker.js";

/** Documents listed in the prompt, as the model sees them. */
const listed = (messages: LLMMessage[]) =>
  [...(messages.at(-1)?.content ?? "").matchAll(/^\[(\d+)\] (.*)$/gm)].map((m) => ({
    n: Number(m[1]),
    text: m[2],
  }));

describe("llm reranker", () => {
  it("numbers documents from 1 and truncates long ones in the prompt", () => {
    const [system, user] = rerankPrompt("q?", ["short", "x".repeat(50)], 10);
    expect(system?.content).toMatch(/0 \(irrelevant\)/);
    expect(user?.content).toContain("Query: q?");
    expect(user?.content).toContain("[1] short");
    expect(user?.content).toContain(`[2] ${"x".repeat(10)}…`);
  });

  it("maps {index, score} back to document order; missing documents get the minimum", async () => {
    const model = createScriptedLanguageModel([
      {
        match: "Query:",
        reply: {
          scores: [
            { index: 3, score: 9 },
            { index: 1, score: 2.5 },
            { index: 7, score: 10 },
          ],
        },
      },
    ]);
    const scores = await createLlmReranker({ model }).doRerank("tea?", ["a", "b", "c"]);
    expect(scores).toEqual([2.5, 0, 9]); // index 7 does not exist: ignored
  });

  it("batches documents, one generateObject call per batch", async () => {
    const model = createScriptedLanguageModel([
      {
        match: "Query:",
        // Score each listed document by its text length, so batch mapping is checkable.
        reply: (messages) => ({
          scores: listed(messages).map((d) => ({ index: d.n, score: d.text?.length ?? 0 })),
        }),
      },
    ]);
    const docs = ["a", "bb", "ccc", "dddd", "eeeee"];
    const scores = await createLlmReranker({ model, batchSize: 2 }).doRerank("q", docs);
    expect(scores).toEqual([1, 2, 3, 4, 5]);
    expect(model.calls).toHaveLength(3);
    expect(model.calls[0]?.options.responseFormat).toMatchObject({ type: "json" });
  });

  it("propagates LLMOutputError (with the raw text) when the answer stays invalid", async () => {
    const model = createScriptedLanguageModel([
      { match: () => true, reply: "I think the first one is best." },
    ]);
    const error = await createLlmReranker({ model })
      .doRerank("q", ["a", "b"])
      .catch((e: unknown) => e);
    expect(LLMOutputError.isInstance(error)).toBe(true);
    expect((error as LLMOutputError).text).toContain("first one");
  });

  it("a score outside 0..10 is invalid (then repaired by the retry)", async () => {
    let calls = 0;
    const model = createScriptedLanguageModel([
      { match: () => true, reply: () => ({ scores: [{ index: 1, score: calls++ === 0 ? 42 : 7 }] }) },
    ]);
    expect(await createLlmReranker({ model }).doRerank("q", ["a"])).toEqual([7]);
    expect(model.calls).toHaveLength(2);
  });

  it("resolves through the registry with a nested llm config", async () => {
    registerBackend(
      "llm",
      "test-scripted-reranker",
      () => createScriptedLanguageModel([{ match: () => true, reply: { scores: [{ index: 1, score: 4 }] } }]),
      z.object({}),
    );
    const r = await createFromConfig<Reranker>("reranker", {
      backend: "llm",
      config: { llm: { backend: "test-scripted-reranker", config: {} }, batch_size: 5 },
    });
    expect(r.modelId).toBe("llm:scripted:scripted");
    expect(await r.doRerank("q", ["a", "b"])).toEqual([4, 0]);
  });
});
