import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors/config-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import type { LLMMessage, StreamPart } from "../../core/interfaces/language-model.js";
import { createScriptedLanguageModel } from "../../testing/scripted-language-model.js";
import { createCustomEmbedder, createCustomLanguageModel } from "./index.js";

const user = (content: string): LLMMessage[] => [{ role: "user", content }];
async function collect(stream: AsyncIterable<StreamPart>) {
  const parts: StreamPart[] = [];
  for await (const p of stream) parts.push(p);
  return parts;
}

describe("createCustomLanguageModel", () => {
  it("wraps a generate function returning a string or {text, usage}", async () => {
    const plain = createCustomLanguageModel({ generate: async () => "hi" });
    expect(plain).toMatchObject({
      specificationVersion: "v1",
      provider: "custom",
      modelId: "custom",
      structuredOutput: "none",
    });
    expect(await plain.doGenerate(user("x"))).toEqual({ text: "hi", usage: undefined, finishReason: "stop" });
    const rich = createCustomLanguageModel({
      modelId: "gw",
      generate: async () => ({ text: "ok", usage: { inputTokens: 3 } }),
    });
    expect((await rich.doGenerate(user("x"))).usage).toEqual({ inputTokens: 3 });
  });

  it("passes messages and options through", async () => {
    let seen: unknown;
    const model = createCustomLanguageModel({
      generate: async (messages, options) => {
        seen = { messages, options };
        return "ok";
      },
    });
    await model.doGenerate(user("x"), { temperature: 0 });
    expect(seen).toEqual({ messages: user("x"), options: { temperature: 0 } });
  });

  it("stream falls back to one delta from generate", async () => {
    const model = createCustomLanguageModel({ generate: async () => "whole answer" });
    expect(await collect(model.doStream(user("x")))).toEqual([
      { type: "text-delta", delta: "whole answer" },
      { type: "finish", usage: undefined, finishReason: "stop" },
    ]);
  });

  it("uses the stream function when given", async () => {
    const model = createCustomLanguageModel({
      generate: async () => "unused",
      stream: async function* () {
        yield "a";
        yield "";
        yield "b";
      },
    });
    expect(await collect(model.doStream(user("x")))).toEqual([
      { type: "text-delta", delta: "a" },
      { type: "text-delta", delta: "b" },
      { type: "finish", finishReason: "stop" },
    ]);
  });

  it("never returns empty; user errors become ProviderError, ours pass through", async () => {
    await expect(
      createCustomLanguageModel({ generate: async () => "  " }).doGenerate(user("x")),
    ).rejects.toThrow(/empty answer/);
    const failing = createCustomLanguageModel({
      generate: async () => {
        throw new Error("gateway down");
      },
    });
    const error = await failing.doGenerate(user("x")).catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toBe("custom model failed: gateway down");
    const ours = new InvalidInputError({ message: "bad" });
    const passing = createCustomLanguageModel({
      generate: async () => {
        throw ours;
      },
    });
    await expect(passing.doGenerate(user("x"))).rejects.toBe(ours);
  });
});

describe("createScriptedLanguageModel", () => {
  it("the first matching rule replies; strings and RegExps test the last user message", async () => {
    const model = createScriptedLanguageModel([
      { match: /where do i live/i, reply: "Lisbon" },
      { match: "live", reply: "second rule" },
      { match: (msgs) => msgs[0]?.role === "system", reply: (msgs) => `echo ${msgs.length}` },
    ]);
    expect((await model.doGenerate(user("Where do I live?"))).text).toBe("Lisbon");
    expect((await model.doGenerate(user("I live here"))).text).toBe("second rule");
    const withSystem: LLMMessage[] = [{ role: "system", content: "sys" }, ...user("other")];
    expect((await model.doGenerate(withSystem)).text).toBe("echo 2");
    // earlier turns are not matched by strings: only the last user message
    const history: LLMMessage[] = [
      ...user("where do I live"),
      { role: "assistant", content: "Lisbon" },
      ...user("thanks"),
    ];
    await expect(model.doGenerate(history)).rejects.toThrow(/no rule matches the last user message "thanks"/);
  });

  it("object replies are sent as JSON", async () => {
    const model = createScriptedLanguageModel([
      { match: "extract", reply: { memories: [{ key: "home", value: "Lisbon" }] } },
    ]);
    expect(JSON.parse((await model.doGenerate(user("extract this"))).text)).toEqual({
      memories: [{ key: "home", value: "Lisbon" }],
    });
  });

  it("records calls with the rule index, reply and options", async () => {
    const model = createScriptedLanguageModel([{ match: "a", reply: "A" }]);
    await model.doGenerate(user("a"), { temperature: 0 });
    await collect(model.doStream(user("a")));
    await model.doGenerate(user("zzz")).catch(() => undefined);
    expect(model.calls).toHaveLength(3);
    expect(model.calls[0]).toEqual({
      method: "generate",
      messages: user("a"),
      options: { temperature: 0 },
      rule: 0,
      reply: "A",
    });
    expect(model.calls[1]?.method).toBe("stream");
    expect(model.calls[2]?.rule).toBeUndefined();
  });

  it("a global RegExp matches every time", async () => {
    const model = createScriptedLanguageModel([{ match: /x/g, reply: "ok" }]);
    await model.doGenerate(user("x"));
    await expect(model.doGenerate(user("x"))).resolves.toMatchObject({ text: "ok" });
  });

  it("streams word by word", async () => {
    const model = createScriptedLanguageModel([{ match: /.*/, reply: "You live in Lisbon." }]);
    const parts = await collect(model.doStream(user("?")));
    expect(
      parts.filter((p) => p.type === "text-delta").map((p) => (p.type === "text-delta" ? p.delta : "")),
    ).toEqual(["You ", "live ", "in ", "Lisbon."]);
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "stop" });
  });

  it("an empty reply → ProviderError (models never answer empty)", async () => {
    const model = createScriptedLanguageModel([{ match: /.*/, reply: "" }]);
    await expect(model.doGenerate(user("?"))).rejects.toThrow(/empty answer/);
  });
});

describe("createCustomEmbedder", () => {
  it("returns Float32Arrays, batches by maxBatch", async () => {
    const batches: string[][] = [];
    const embedder = createCustomEmbedder({
      dimensions: 2,
      maxBatch: 2,
      modelId: "toy",
      embed: async (texts) => {
        batches.push(texts);
        return texts.map((t) => [t.length, 1]);
      },
    });
    expect(embedder).toMatchObject({
      specificationVersion: "v1",
      provider: "custom",
      modelId: "toy",
      dimensions: 2,
      maxBatch: 2,
    });
    const vectors = await embedder.doEmbed(["a", "bb", "ccc"]);
    expect(vectors.map((v) => Array.from(v))).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(vectors[0]).toBeInstanceOf(Float32Array);
    expect(batches).toEqual([["a", "bb"], ["ccc"]]);
  });

  it("a vector of the wrong length → ProviderError", async () => {
    const embedder = createCustomEmbedder({ dimensions: 3, embed: async (texts) => texts.map(() => [1, 2]) });
    const error = await embedder.doEmbed(["a"]).catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toMatch(/length 2 for text 0, expected 3/);
  });

  it("a wrong count → ProviderError; a thrown error is wrapped", async () => {
    await expect(
      createCustomEmbedder({ dimensions: 1, embed: async () => [[1]] }).doEmbed(["a", "b"]),
    ).rejects.toThrow(/returned 1 vectors for 2 texts/);
    const failing = createCustomEmbedder({
      dimensions: 1,
      embed: async () => {
        throw new Error("quota");
      },
    });
    await expect(failing.doEmbed(["a"])).rejects.toThrow("custom embedder failed: quota");
  });

  it("dimensions must be a positive integer", () => {
    expect(() => createCustomEmbedder({ dimensions: 0, embed: async () => [] })).toThrow(ConfigError);
  });
});
