/**
 * The LLM flags shared by `memos bench locomo` and `memos bench prefeval`: `--llm SPEC`
 * (default MEMOS_LLM), `--judge-llm SPEC` (default the answerer's), `--judge-runs N` (default 3),
 * `--llm-questions N` (default all). Specs are MEMOS_LLM's (`openai:gpt-4o-mini`,
 * `ollama:qwen2.5`, `llama-cpp:/path/model.gguf`), parsed and built as src/providers/shared/from-env.ts does.
 */
import type { Command } from "commander";
import { createFromConfig } from "../../src/core/backend-registry.js";
import { ConfigError, InvalidInputError } from "../../src/core/errors/index.js";
import type { LanguageModel } from "../../src/core/interfaces/language-model.js";
import { llmConfigFromEnv } from "../../src/providers/shared/from-env.js";
import { intFlag } from "./flags.js";

/** The flags as Commander parses them (strings, all optional). */
export interface LlmCliFlags {
  llm?: string;
  judgeLlm?: string;
  judgeRuns?: string;
  llmQuestions?: string;
}

/** What the flags resolve to when an LLM is configured. */
export interface LlmEvalSetup {
  answerSpec: string;
  judgeSpec: string;
  answerModel: LanguageModel;
  /** The same object as answerModel when both specs are equal (one model loaded). */
  judgeModel: LanguageModel;
  judgeRuns: number;
  /** Undefined: every question. */
  llmQuestions?: number;
  /** The flags that reproduce this setup, for the report's command (defaults left out). */
  flags: string[];
}

/** Builds a model from a validated backend config; tests pass a fake. */
export type ModelBuilder = (spec: string) => Promise<LanguageModel>;

/**
 * Builds the model a spec names, through the provider registry. A malformed spec or unknown
 * backend is a ConfigError (exit 2) naming the flag.
 */
export function buildModelFromSpec(flag: string): ModelBuilder {
  return async (spec) => {
    let config: ReturnType<typeof llmConfigFromEnv>;
    try {
      config = llmConfigFromEnv({ MEMOS_LLM: spec });
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      throw new ConfigError({
        message: `${flag} "${spec}": ${error.message}`,
        hint: `write ${flag} as <backend>:<model>, e.g. ${flag} openai:gpt-4o-mini, ${flag} ollama:qwen2.5 or ${flag} llama-cpp:/models/model.gguf`,
        cause: error,
      });
    }
    if (!config) {
      throw new ConfigError({ message: `${flag} is empty`, hint: `e.g. ${flag} openai:gpt-4o-mini` });
    }
    return createFromConfig<LanguageModel>("llm", config);
  };
}

/**
 * Resolves the LLM flags: undefined when neither `--llm` nor MEMOS_LLM names a model (the
 * benchmarks then report "LLM metrics: skipped"). `--judge-llm`, `--judge-runs` or
 * `--llm-questions` without an answerer model is an InvalidInputError, not silently ignored.
 *
 * @example
 * const setup = await resolveLlmFlags({ llm: "ollama:qwen2.5", judgeRuns: "1" });
 */
export async function resolveLlmFlags(
  flags: LlmCliFlags,
  env: NodeJS.ProcessEnv = process.env,
  build: { answer: ModelBuilder; judge: ModelBuilder } = {
    answer: buildModelFromSpec("--llm"),
    judge: buildModelFromSpec("--judge-llm"),
  },
): Promise<LlmEvalSetup | undefined> {
  const answerSpec = flags.llm?.trim() || env.MEMOS_LLM?.trim() || undefined;
  if (answerSpec === undefined) {
    const stray = (["judgeLlm", "judgeRuns", "llmQuestions"] as const).find((k) => flags[k] !== undefined);
    if (stray) {
      const flag = { judgeLlm: "--judge-llm", judgeRuns: "--judge-runs", llmQuestions: "--llm-questions" }[
        stray
      ];
      throw new InvalidInputError({
        message: `${flag} needs an answering model, and none is configured`,
        hint: "add --llm <backend>:<model> (e.g. --llm openai:gpt-4o-mini) or set MEMOS_LLM",
      });
    }
    return undefined;
  }
  const judgeRuns = flags.judgeRuns === undefined ? 3 : intFlag(flags.judgeRuns, "--judge-runs");
  const llmQuestions =
    flags.llmQuestions === undefined ? undefined : intFlag(flags.llmQuestions, "--llm-questions");
  const judgeSpec = flags.judgeLlm?.trim() || answerSpec;
  const answerModel = await build.answer(answerSpec);
  const judgeModel = judgeSpec === answerSpec ? answerModel : await build.judge(judgeSpec);
  const flagsOut = ["--llm", answerSpec];
  if (judgeSpec !== answerSpec) flagsOut.push("--judge-llm", judgeSpec);
  if (flags.judgeRuns !== undefined) flagsOut.push("--judge-runs", String(judgeRuns));
  if (llmQuestions !== undefined) flagsOut.push("--llm-questions", String(llmQuestions));
  return {
    answerSpec,
    judgeSpec,
    answerModel,
    judgeModel,
    judgeRuns,
    ...(llmQuestions === undefined ? {} : { llmQuestions }),
    flags: flagsOut,
  };
}

/** Frees models that hold native resources (llama.cpp), so the process can exit. */
export async function disposeLlmSetup(setup: LlmEvalSetup | undefined): Promise<void> {
  if (!setup) return;
  for (const model of new Set([setup.answerModel, setup.judgeModel])) {
    const d = (model as { dispose?: () => Promise<void> }).dispose;
    if (typeof d === "function") await d.call(model);
  }
}

/**
 * Adds the LLM flags to a benchmark command. `--judge-runs` only where the judge runs several
 * times (LoCoMo, unit "questions"); PrefEval judges each answer once.
 */
export function addLlmOptions(cmd: Command, unit: "questions" | "items"): Command {
  cmd
    .option(
      "--llm <spec>",
      "answering LLM, <backend>:<model>, e.g. openai:gpt-4o-mini (default MEMOS_LLM; none: LLM metrics skipped)",
    )
    .option("--judge-llm <spec>", "judging LLM (default the --llm model)");
  if (unit === "questions")
    cmd.option("--judge-runs <n>", "judge calls per answer; accuracy is mean ± std over runs (default 3)");
  return cmd.option(
    "--llm-questions <n>",
    `only the first n ${unit} get LLM answers (default all; LLM calls are slow)`,
  );
}
