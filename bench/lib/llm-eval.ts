/**
 * The LLM half of the LoCoMo evaluation, as MemOS's and mem0's evaluations run it (prompts in our
 * own words): a short-answer prompt over the retrieved memories, each shown with its session
 * date, and a generous CORRECT/WRONG judge run N times.
 */
import { z } from "zod";
import { LLMOutputError } from "../../src/core/errors/llm-output-error.js";
import type { LanguageModel, LLMMessage } from "../../src/core/interfaces/language-model.js";
import { generateObject } from "../../src/providers/shared/generate-object.js";
import { generateText } from "../../src/providers/shared/generate-text.js";
import { stripThinkPrefix } from "../../src/providers/shared/think-prefix.js";
import type { Answerer, AnswerInput, Judge, JudgeInput } from "../locomo/llm.js";

/** "provider:modelId", the name reports show for a model. */
export function modelName(model: LanguageModel): string {
  return `${model.provider}:${model.modelId}`;
}

/**
 * The date shown in front of a memory: the session date of the turns it covers (one date, or
 * "first – last" when it spans sessions); undefined when no turn has a date.
 */
export function memoryDate(diaIds: readonly string[], dateOf: AnswerInput["dateOf"]): string | undefined {
  if (!dateOf) return undefined;
  const dates: string[] = [];
  for (const id of diaIds) {
    const d = dateOf(id);
    if (d && !dates.includes(d)) dates.push(d);
  }
  if (dates.length === 0) return undefined;
  return dates.length === 1 ? dates[0] : `${dates[0]} – ${dates[dates.length - 1]}`;
}

/** The memories block of the answer prompt: one line per memory, `[date] text`, in rank order. */
export function formatMemories(input: Pick<AnswerInput, "memories" | "dateOf">): string {
  if (input.memories.length === 0) return "(no memories retrieved)";
  return input.memories
    .map((m, i) => {
      const date = memoryDate(m.diaIds, input.dateOf);
      const text = m.text.trim();
      // bm25-dated texts already start with their date.
      const prefix = date && !text.startsWith(`[${date}]`) ? `[${date}] ` : "";
      return `${i + 1}. ${prefix}${text}`;
    })
    .join("\n");
}

/** The short-answer prompt (one user message, so the last user message holds everything). */
export function answerPrompt(input: AnswerInput): LLMMessage[] {
  const content = [
    `You are answering a question about a long conversation between ${input.speakerA} and ${input.speakerB}.`,
    "Below are memories retrieved from that conversation. Each starts with the date of the session it comes from, in brackets.",
    "",
    "How to answer:",
    "1. Read every memory carefully, from both speakers, and use only what they say.",
    '2. Pay attention to the dates. When a memory uses a relative time ("last year", "two months ago", "yesterday", "next week"), work out the absolute date, month or year from that memory\'s date: a memory dated 4 May 2022 that says "last year" means 2021. Answer with the absolute date, never the relative phrase.',
    "3. If memories contradict each other, trust the most recent one.",
    "4. Say what the memories support; do not add facts they do not contain.",
    "5. Answer in at most 5–6 words. No explanation, no full sentence needed.",
    "",
    "Memories:",
    formatMemories(input),
    "",
    `Question: ${input.question}`,
    "Answer:",
  ].join("\n");
  return [{ role: "user", content }];
}

/** Options of the LLM answerers. */
export interface LlmAnswererOptions {
  /** Default 0, as in the published evaluations. */
  temperature?: number;
  /** Default 100. */
  maxTokens?: number;
}

/**
 * LoCoMo's short-answer answerer: at most 5–6 words from the memories, dates considered and
 * relative dates made absolute. Reasoning-model `<think>` prefixes are stripped.
 *
 * @example
 * const answerer = createLlmAnswerer(model);
 * await runLocomoBench({ ..., answerer });
 */
export function createLlmAnswerer(model: LanguageModel, options: LlmAnswererOptions = {}): Answerer {
  const temperature = options.temperature ?? 0;
  const maxTokens = options.maxTokens ?? 100;
  return {
    name: modelName(model),
    async answer(input) {
      const { text } = await generateText(model, answerPrompt(input), { temperature, maxTokens });
      return stripThinkPrefix(text).trim();
    },
  };
}

/** What the judge answers with. */
export const JudgeVerdict = z.object({
  label: z.enum(["CORRECT", "WRONG"]),
  reasoning: z.string().max(300),
});

/** The generous CORRECT/WRONG rubric of the mem0/MemOS LoCoMo evaluations, in our words. */
export function judgePrompt(input: JudgeInput): LLMMessage[] {
  const content = [
    "Your task is to label a generated answer to a question as CORRECT or WRONG, by comparing it with the gold (ground-truth) answer.",
    "The question asks about something one person said in a conversation. The gold answer is usually short: a topic, name, place or date.",
    "",
    "Be generous:",
    "- If the generated answer contains the key facts of the gold answer, it is CORRECT, even when it is phrased differently or is longer than the gold answer.",
    '- For dates and times: the same date, month or period written in another format ("7 May 2023", "May 7th", "2023-05-07") is CORRECT, and so is a relative reference ("the week before 9 May 2023") that resolves to the gold date.',
    "- It is WRONG when the key facts are missing, contradict the gold answer, or point to a different date or period.",
    "",
    `Question: ${input.question}`,
    `Gold answer: ${input.gold}`,
    `Generated answer: ${input.prediction}`,
    "",
    'Reply with a JSON object: {"label": "CORRECT" or "WRONG", "reasoning": one short sentence (at most 300 characters)}.',
  ].join("\n");
  return [{ role: "user", content }];
}

/** Options of createLlmJudge. */
export interface LlmJudgeOptions {
  /** Independent judge calls per answer; the report gives mean ± std of their accuracies. Default 3. */
  runs?: number;
  /** Default 0. */
  temperature?: number;
}

/** A Judge that also counts the verdicts it could not parse (they count as WRONG). */
export interface LlmJudge extends Judge {
  readonly runs: number;
  /** Judge calls whose output was not valid JSON for the verdict schema, even after the repair turn. */
  readonly invalidOutputs: number;
}

/**
 * The LLM judge: `runs` calls per answer, each parsed through generateObject into
 * `{label, reasoning}`; returns one verdict per run. An output that stays invalid after
 * generateObject's repair turn counts as WRONG and is counted in `invalidOutputs`; provider
 * errors (server down, bad key) propagate.
 *
 * @example
 * const judge = createLlmJudge(model, { runs: 3 });
 * await judge.judge({ question, gold: "7 May 2023", prediction: "May 7th, 2023" }); // [true, true, true]
 */
export function createLlmJudge(model: LanguageModel, options: LlmJudgeOptions = {}): LlmJudge {
  const runs = options.runs ?? 3;
  if (!Number.isInteger(runs) || runs < 1)
    throw new RangeError(`judge runs must be a positive integer, got ${runs}`);
  const temperature = options.temperature ?? 0;
  let invalid = 0;
  return {
    name: modelName(model),
    runs,
    get invalidOutputs() {
      return invalid;
    },
    async judge(input) {
      const verdicts: boolean[] = [];
      for (let r = 0; r < runs; r++) {
        try {
          const { object } = await generateObject(model, judgePrompt(input), JudgeVerdict, {
            temperature,
            maxTokens: 400,
            schemaName: "verdict",
          });
          verdicts.push(object.label === "CORRECT");
        } catch (error) {
          if (!LLMOutputError.isInstance(error)) throw error;
          invalid++;
          verdicts.push(false);
        }
      }
      return verdicts;
    },
  };
}
