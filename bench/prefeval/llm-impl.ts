/**
 * LLM-backed implementations of PrefEval's plug points (bench/prefeval/llm.ts): an assistant
 * that answers the user's question with the retrieved memories in view, and a judge that decides
 * whether the answer respects the preference the user stated earlier.
 */
import { z } from "zod";
import { LLMOutputError } from "../../src/core/errors/llm-output-error.js";
import type { LanguageModel, LLMMessage } from "../../src/core/interfaces/language-model.js";
import { generateObject } from "../../src/providers/shared/generate-object.js";
import { generateText } from "../../src/providers/shared/generate-text.js";
import { stripThinkPrefix } from "../../src/providers/shared/think-prefix.js";
import { formatMemories, type LlmAnswererOptions, modelName } from "../lib/llm-eval.js";
import type { Answerer, AnswerInput, PreferenceJudge, PreferenceJudgeInput } from "./llm.js";

/** The assistant prompt: memories of earlier conversations, then the user's question. */
export function preferenceAnswerPrompt(input: AnswerInput): LLMMessage[] {
  return [
    {
      role: "system",
      content: [
        "You are a helpful assistant with a memory of earlier conversations with this user.",
        "Use what the memories tell you about the user (their preferences, constraints and situation) when you answer.",
        "Answer helpfully and concisely (at most about 150 words).",
      ].join("\n"),
    },
    {
      role: "user",
      content: [
        "Memories of earlier conversations:",
        formatMemories(input),
        "",
        `Question: ${input.question}`,
      ].join("\n"),
    },
  ];
}

/**
 * PrefEval's answerer: answers the item's question given the retrieved memories, temperature 0.
 *
 * @example
 * await runPrefevalBench({ ..., llm: { answerer: createPreferenceAnswerer(model), judge: createPreferenceJudge(model) } });
 */
export function createPreferenceAnswerer(model: LanguageModel, options: LlmAnswererOptions = {}): Answerer {
  const temperature = options.temperature ?? 0;
  const maxTokens = options.maxTokens ?? 400;
  return {
    name: modelName(model),
    async answer(input) {
      const { text } = await generateText(model, preferenceAnswerPrompt(input), { temperature, maxTokens });
      return stripThinkPrefix(text).trim();
    },
  };
}

/** What the preference judge answers with. */
export const PreferenceVerdictSchema = z.object({
  followed: z.enum(["yes", "no"]),
  reason: z.string().max(300),
});

/** The judge prompt: the stated preference, the question, PrefEval's explanation, the answer. */
export function preferenceJudgePrompt(input: PreferenceJudgeInput): LLMMessage[] {
  const content = [
    "Earlier in a conversation, a user stated a preference. Later they asked a question, and an assistant answered.",
    "Decide whether the answer respects the stated preference.",
    "",
    "- yes: the answer is consistent with the preference (it follows it, or takes it into account, and recommends nothing it rules out).",
    "- no: the answer ignores or contradicts the preference, e.g. it recommends what the user said they dislike or cannot do.",
    "",
    `Stated preference: ${input.preference}`,
    `Question: ${input.question}`,
    ...(input.explanation ? [`What a preference-following answer does: ${input.explanation}`] : []),
    `Answer: ${input.answer}`,
    "",
    'Reply with a JSON object: {"followed": "yes" or "no", "reason": one short sentence (at most 300 characters)}.',
  ].join("\n");
  return [{ role: "user", content }];
}

/** A PreferenceJudge that counts the verdicts it could not parse (they count as not followed). */
export interface LlmPreferenceJudge extends PreferenceJudge {
  readonly invalidOutputs: number;
}

/**
 * PrefEval's judge: does the answer respect the stated preference? yes/no with a reason, through
 * generateObject. An output still invalid after the repair turn counts as not followed.
 *
 * @example
 * const { followed } = await createPreferenceJudge(model).judge({ preference, question, explanation, answer });
 */
export function createPreferenceJudge(
  model: LanguageModel,
  options: { temperature?: number } = {},
): LlmPreferenceJudge {
  const temperature = options.temperature ?? 0;
  let invalid = 0;
  return {
    name: modelName(model),
    get invalidOutputs() {
      return invalid;
    },
    async judge(input) {
      try {
        const { object } = await generateObject(
          model,
          preferenceJudgePrompt(input),
          PreferenceVerdictSchema,
          {
            temperature,
            maxTokens: 400,
            schemaName: "preference_verdict",
          },
        );
        return { followed: object.followed === "yes" };
      } catch (error) {
        if (!LLMOutputError.isInstance(error)) throw error;
        invalid++;
        return { followed: false };
      }
    },
  };
}
