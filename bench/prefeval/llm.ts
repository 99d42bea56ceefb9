/**
 * Plug points for PrefEval's LLM half: answer the question from the retrieved memories, then
 * judge whether the answer follows the stated preference (PrefEval's "preference following").
 * The LLM-backed implementations are in llm-impl.ts; without an LLM reports say the metrics were
 * skipped.
 */
import type { Answerer, AnswerInput } from "../locomo/llm.js";

/** The LoCoMo answerer interface, reused: PrefEval passes speakers "User" and "Assistant". */
export type { Answerer, AnswerInput };

/** What a preference judge sees. */
export interface PreferenceJudgeInput {
  preference: string;
  question: string;
  /** PrefEval's note on what a preference-following answer does. */
  explanation: string;
  answer: string;
}

/**
 * PrefEval's verdict on one answer. `followed` is the headline; the optional flags are PrefEval's
 * four error types for judges that report them.
 */
export interface PreferenceVerdict {
  followed: boolean;
  /** The answer contradicts the preference. */
  violated?: boolean;
  /** The answer mentions or clearly takes the preference into account. */
  acknowledged?: boolean;
  /** The answer states a preference the user never gave. */
  hallucinated?: boolean;
  /** The answer still helps with the question. */
  helpful?: boolean;
}

/** Judges whether an answer respects the user's stated preference. */
export interface PreferenceJudge {
  /** Shown in reports, e.g. "openai:gpt-4o-mini". */
  readonly name: string;
  judge(input: PreferenceJudgeInput): Promise<PreferenceVerdict>;
}

/** Per system and topic ("all" for every item), the fraction of answers that followed the preference. */
export interface PrefLlmRow {
  system: string;
  topic: string;
  items: number;
  followed: number;
}

/** The `llm` section of a PrefEval report. */
export type PrefLlmSection =
  | { status: "skipped"; reason: string }
  | {
      status: "done";
      answerer: string;
      judge: string;
      /** Items per system that got an LLM answer ("all" without --llm-questions). */
      llm_items?: number | "all";
      /** Judge outputs that stayed unparseable (counted as not followed). */
      judge_invalid_outputs?: number;
      rows: PrefLlmRow[];
    };

/** What reports say when no LLM is configured. */
export const PREF_LLM_SKIPPED: PrefLlmSection = { status: "skipped", reason: "no LLM configured" };
