import { describe, expect, it } from "vitest";
import { z } from "zod";
import { LLMOutputError } from "../../core/errors/llm-output-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import type { LLMMessage } from "../../core/interfaces/language-model.js";
import { createScriptedLanguageModel } from "../../testing/scripted-language-model.js";
import { createCustomLanguageModel } from "../custom/custom-language-model.js";
import {
  createThinkPrefixFilter,
  extractJson,
  generateObject,
  generateText,
  streamText,
  stripThinkPrefix,
  withSchemaInstruction,
} from "./index.js";

const user = (content: string): LLMMessage[] => [{ role: "user", content }];
const Home = z.object({ city: z.string(), since: z.number() });

describe("generateText / streamText", () => {
  it("generateText returns the model's result", async () => {
    const model = createScriptedLanguageModel([{ match: "hello", reply: "hi there" }]);
    const { text, usage, finishReason } = await generateText(model, user("hello"));
    expect(text).toBe("hi there");
    expect(usage).toEqual({ inputTokens: 1, outputTokens: 2, totalTokens: 3 });
    expect(finishReason).toBe("stop");
  });

  it("streamText yields deltas and resolves usage once finished", async () => {
    const model = createScriptedLanguageModel([{ match: /.*/, reply: "one two three" }]);
    const s = streamText(model, user("go"));
    const deltas: string[] = [];
    for await (const d of s.textStream) deltas.push(d);
    expect(deltas).toEqual(["one ", "two ", "three"]);
    expect(await s.usage).toEqual({ inputTokens: 1, outputTokens: 3, totalTokens: 4 });
  });

  it("streamText resolves usage as undefined when the stream fails, and rethrows", async () => {
    const model = createScriptedLanguageModel([]);
    const s = streamText(model, user("unmatched"));
    await expect(async () => {
      for await (const _ of s.textStream) {
        // drain
      }
    }).rejects.toThrow(ProviderError);
    expect(await s.usage).toBeUndefined();
  });
});

describe("generateObject", () => {
  it("valid first answer → repairs 0; a json-schema model gets the prompt unchanged", async () => {
    const model = createScriptedLanguageModel([{ match: "Where", reply: { city: "Lisbon", since: 2019 } }]);
    const result = await generateObject(model, user("Where do I live?"), Home);
    expect(result).toMatchObject({ object: { city: "Lisbon", since: 2019 }, repairs: 0 });
    expect(model.calls[0]?.messages).toEqual(user("Where do I live?"));
    const format = model.calls[0]?.options.responseFormat;
    expect(format?.type).toBe("json");
    expect(format && "schema" in format ? format.schema : undefined).toMatchObject({
      required: ["city", "since"],
    });
  });

  it("malformed, then valid on repair → repairs 1; the repair turn quotes the validation error", async () => {
    const model = createScriptedLanguageModel([
      { match: "not valid", reply: '```json\n{"city": "Lisbon", "since": 2019}\n```' },
      { match: "Where", reply: '{"city": "Lisbon"}' },
    ]);
    const result = await generateObject(model, user("Where do I live?"), Home);
    expect(result.object).toEqual({ city: "Lisbon", since: 2019 });
    expect(result.repairs).toBe(1);
    expect(result.usage?.inputTokens).toBeGreaterThan(0);
    const repair = model.calls[1]?.messages ?? [];
    expect(repair.at(-2)).toEqual({ role: "assistant", content: '{"city": "Lisbon"}' });
    expect(repair.at(-1)?.content).toMatch(/That answer was not valid: since: .*expected number/i);
    expect(repair.at(-1)?.content).toContain('"since"');
  });

  it("malformed twice → LLMOutputError carrying the raw second answer", async () => {
    const model = createScriptedLanguageModel([
      { match: "not valid", reply: "Sorry, I cannot do JSON." },
      { match: /.*/, reply: "Lisbon" },
    ]);
    const error = await generateObject(model, user("Where?"), Home).catch((e: unknown) => e);
    expect(LLMOutputError.isInstance(error)).toBe(true);
    expect((error as LLMOutputError).text).toBe("Sorry, I cannot do JSON.");
    expect((error as LLMOutputError).message).toMatch(/scripted:scripted did not return valid JSON/);
  });

  it("a model without structured output gets the schema in its system prompt", async () => {
    const seen: LLMMessage[][] = [];
    const model = createCustomLanguageModel({
      generate: async (messages) => {
        seen.push(messages);
        return '{"city":"Porto","since":2001}';
      },
    });
    await generateObject(model, [{ role: "system", content: "Be brief." }, ...user("Where?")], Home);
    expect(seen[0]?.[0]?.role).toBe("system");
    expect(seen[0]?.[0]?.content).toMatch(/^Be brief\.\n\nAnswer with only a JSON value/);
    expect(seen[0]).toHaveLength(2);
  });

  it("tolerates a <think> block with braces before the JSON", async () => {
    const model = createScriptedLanguageModel([
      { match: /.*/, reply: '<think>maybe {city} is "Lisbon"?</think>\n{"city":"Lisbon","since":2019}' },
    ]);
    expect((await generateObject(model, user("?"), Home)).object).toEqual({ city: "Lisbon", since: 2019 });
  });
});

describe("helpers", () => {
  it("extractJson: whole text, fenced block, or first {...} span", () => {
    expect(extractJson('{"a":1}')).toEqual({ a: 1 });
    expect(extractJson('Here:\n```json\n{"a":2}\n```')).toEqual({ a: 2 });
    expect(extractJson('Sure! {"a":3} Hope that helps.')).toEqual({ a: 3 });
    expect(extractJson("[1,2]")).toEqual([1, 2]);
    expect(extractJson("null")).toBeNull();
    expect(extractJson("no json here")).toBeUndefined();
  });

  it("stripThinkPrefix removes a leading closed block only", () => {
    expect(stripThinkPrefix("<think>hmm</think>\n\nParis")).toBe("Paris");
    expect(stripThinkPrefix("  <think>a</think>b")).toBe("b");
    expect(stripThinkPrefix("Paris <think>x</think>")).toBe("Paris <think>x</think>");
    expect(stripThinkPrefix("<think>cut off")).toBe("<think>cut off");
  });

  it("the streaming think filter holds back only what may be a think block", () => {
    const run = (deltas: string[]) => {
      const f = createThinkPrefixFilter();
      return deltas.map((d) => f.push(d)).join("") + f.flush();
    };
    expect(run(["<th", "ink>a</th", "ink>", "\n\n", "Li", "sbon"])).toBe("Lisbon");
    expect(run(["<", "b>bold</b>"])).toBe("<b>bold</b>");
    expect(run(["Hello", " world"])).toBe("Hello world");
    expect(run(["<think>never closed"])).toBe("<think>never closed");
    const f = createThinkPrefixFilter();
    expect(f.push("Hi")).toBe("Hi"); // no holding once it is clearly not a think block
  });

  it("withSchemaInstruction adds a system message when there is none", () => {
    const out = withSchemaInstruction(user("q"), { type: "object" });
    expect(out[0]?.role).toBe("system");
    expect(out[0]?.content).toContain('{"type":"object"}');
    expect(out[1]).toEqual({ role: "user", content: "q" });
  });
});
