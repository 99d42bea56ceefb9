/**
 * Plug points for the LLM half of the LoCoMo evaluation (answer from retrieved memories, then
 * judge the answer). No LLM provider exists yet, so only the interfaces live here; the runner
 * computes token F1 / BLEU-1 / judge accuracy when an answerer (and judge) is passed.
 */
import type { Retrieved } from "./systems.js";

/** Input to an answerer: the question, and the memories retrieved for it in rank order. */
export interface AnswerInput {
  question: string;
  memories: readonly Retrieved[];
  speakerA: string;
  speakerB: string;
}

/** Produces an answer from retrieved memories (MemOS's evaluation prompts an LLM with them). */
export interface Answerer {
  /** Shown in reports, e.g. "openai:gpt-4o-mini". */
  readonly name: string;
  answer(input: AnswerInput): Promise<string>;
}

/** Judges whether a predicted answer matches the gold one (LoCoMo's "LLM-as-judge" accuracy). */
export interface Judge {
  readonly name: string;
  judge(input: { question: string; gold: string; prediction: string }): Promise<boolean>;
}

/** Per system and category, the answer-quality metrics. */
export interface LlmRow {
  system: string;
  category: string;
  questions: number;
  f1: number;
  bleu1: number;
  /** Fraction judged correct; absent without a judge. */
  judge_accuracy?: number;
}

/** The `llm` section of a report. */
export type LlmSection =
  | { status: "skipped"; reason: string }
  | { status: "done"; answerer: string; judge?: string; rows: LlmRow[] };

/** What reports say when no LLM is configured. */
export const LLM_SKIPPED: LlmSection = { status: "skipped", reason: "no LLM configured" };
