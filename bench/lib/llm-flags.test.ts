import { describe, expect, it } from "vitest";
import { ConfigError, exitCodeFor, InvalidInputError } from "../../src/core/errors/index.js";
import { createScriptedLanguageModel } from "../../src/testing/scripted-language-model.js";
import { buildModelFromSpec, resolveLlmFlags } from "./llm-flags.js";

const fake = () => {
  const built: string[] = [];
  const build = async (spec: string) => {
    built.push(spec);
    return createScriptedLanguageModel([], { modelId: spec });
  };
  return { built, build: { answer: build, judge: build } };
};

describe("resolveLlmFlags", () => {
  it("is undefined without --llm and MEMOS_LLM", async () => {
    expect(await resolveLlmFlags({}, {})).toBeUndefined();
  });

  it("defaults to MEMOS_LLM, the judge to the answerer's model (built once), 3 runs, every question", async () => {
    const f = fake();
    const setup = await resolveLlmFlags({}, { MEMOS_LLM: "ollama:qwen2.5" }, f.build);
    expect(setup).toMatchObject({ answerSpec: "ollama:qwen2.5", judgeSpec: "ollama:qwen2.5", judgeRuns: 3 });
    expect(setup?.llmQuestions).toBeUndefined();
    expect(setup?.judgeModel).toBe(setup?.answerModel);
    expect(f.built).toEqual(["ollama:qwen2.5"]);
    expect(setup?.flags).toEqual(["--llm", "ollama:qwen2.5"]);
  });

  it("takes --llm over MEMOS_LLM, a separate judge, runs and a question limit", async () => {
    const f = fake();
    const setup = await resolveLlmFlags(
      { llm: "openai:gpt-4o-mini", judgeLlm: "openai:gpt-4o", judgeRuns: "5", llmQuestions: "20" },
      { MEMOS_LLM: "ollama:qwen2.5" },
      f.build,
    );
    expect(f.built).toEqual(["openai:gpt-4o-mini", "openai:gpt-4o"]);
    expect(setup).toMatchObject({ judgeRuns: 5, llmQuestions: 20 });
    expect(setup?.flags.join(" ")).toBe(
      "--llm openai:gpt-4o-mini --judge-llm openai:gpt-4o --judge-runs 5 --llm-questions 20",
    );
  });

  it("rejects bad numbers and LLM flags without a model (exit 2)", async () => {
    const f = fake();
    await expect(resolveLlmFlags({ llm: "ollama:x", judgeRuns: "0" }, {}, f.build)).rejects.toSatisfy(
      InvalidInputError.isInstance,
    );
    await expect(resolveLlmFlags({ llm: "ollama:x", llmQuestions: "many" }, {}, f.build)).rejects.toSatisfy(
      InvalidInputError.isInstance,
    );
    const stray = resolveLlmFlags({ judgeLlm: "ollama:x" }, {}, f.build);
    await expect(stray).rejects.toSatisfy(InvalidInputError.isInstance);
    await expect(stray).rejects.toThrow(/--judge-llm/);
  });
});

describe("buildModelFromSpec", () => {
  it("raises a ConfigError naming the flag for a malformed spec or unknown backend", async () => {
    for (const spec of ["gpt-4o-mini", "nosuch:model", "openai:"]) {
      const error = await buildModelFromSpec("--llm")(spec).catch((e: unknown) => e);
      expect(ConfigError.isInstance(error), spec).toBe(true);
      expect((error as ConfigError).message).toContain(`--llm "${spec}"`);
      expect((error as ConfigError).hint).toMatch(/--llm openai:gpt-4o-mini/);
      expect(exitCodeFor(error)).toBe(2);
    }
  });
});
