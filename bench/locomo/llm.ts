/**
 * Plug points for the LLM half of the LoCoMo evaluation (answer from retrieved memories, then
 * judge the answer). The LLM-backed implementations are in bench/lib/llm-eval.ts; the runner
 * computes token F1 / BLEU-1 / judge accuracy (mean ± std over judge runs) when an answerer
 * (and judge) is passed.
 */
import type { Retrieved } from "./systems.js";

/** Input to an answerer: the question, and the memories retrieved for it in rank order. */
export interface AnswerInput {
  question: string;
  memories: readonly Retrieved[];
  speakerA: string;
  speakerB: string;
  /** The session date of a turn id ("D3:12"), for dating memories in the prompt. */
  dateOf?: (diaId: string) => string | undefined;
}

/** Produces an answer from retrieved memories (MemOS's evaluation prompts an LLM with them). */
export interface Answerer {
  /** Shown in reports, e.g. "openai:gpt-4o-mini". */
  readonly name: string;
  answer(input: AnswerInput): Promise<string>;
}

/** What a judge sees. */
export interface JudgeInput {
  question: string;
  gold: string;
  prediction: string;
}

/**
 * Judges whether a predicted answer matches the gold one (LoCoMo's "LLM-as-judge" accuracy).
 * A judge that runs several times per answer returns one verdict per run (always as many as
 * `runs`); the report then gives the mean and standard deviation of the per-run accuracies.
 */
export interface Judge {
  readonly name: string;
  /** Verdicts per answer (default 1). */
  readonly runs?: number;
  /** Judge outputs that could not be parsed (counted as wrong), when the judge tracks them. */
  readonly invalidOutputs?: number;
  judge(input: JudgeInput): Promise<boolean | readonly boolean[]>;
}

/** Per system and category, the answer-quality metrics. */
export interface LlmRow {
  system: string;
  category: string;
  questions: number;
  f1: number;
  bleu1: number;
  /** Fraction judged correct, mean over judge runs; absent without a judge. */
  judge_accuracy?: number;
  /** Population standard deviation of the per-run accuracies (0 for one run). */
  judge_std?: number;
  /** Each run's accuracy, in run order. */
  judge_runs?: number[];
}

/** The `llm` section of a report. */
export type LlmSection =
  | { status: "skipped"; reason: string }
  | {
      status: "done";
      /** Answerer and judge names (models, e.g. "openai:gpt-4o-mini"). */
      answerer: string;
      judge?: string;
      /** Judge runs per answer. */
      judge_runs?: number;
      /** Judge outputs that stayed unparseable (counted as WRONG). */
      judge_invalid_outputs?: number;
      /** Questions per system that got an LLM answer ("all" without --llm-questions). */
      llm_questions: number | "all";
      rows: LlmRow[];
    };

/** What reports say when no LLM is configured. */
export const LLM_SKIPPED: LlmSection = { status: "skipped", reason: "no LLM configured" };
