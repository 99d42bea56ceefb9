import { z } from "zod";
import type { LanguageModel, LLMMessage } from "../core/interfaces/language-model.js";
import { generateObject } from "../providers/shared/generate-object.js";
import type { ParsedQuery } from "./types.js";

/** What the fine-mode parse must return; closed, so stray fields are a validation error (then a repair turn). */
export const TaskGoalSchema = z.strictObject({
  rephrased_query: z.string(),
  keys: z.array(z.string()),
  tags: z.array(z.string()),
  time_hint: z.string().optional(),
});
export type TaskGoal = z.output<typeof TaskGoalSchema>;

const SYSTEM =
  "You prepare a memory search. Given a user's query, return JSON with: " +
  '"rephrased_query": the query restated as one self-contained question (resolve pronouns and ellipsis; keep names, dates and numbers); ' +
  '"keys": short titles of the memories that would answer it (2-5 words each, e.g. "favourite food"); ' +
  '"tags": 1-5 lower-case topic words (e.g. "food", "travel"); ' +
  '"time_hint": optional, the time the query is about, as written or as an ISO date. ' +
  'Reply with JSON only: {"rephrased_query": "...", "keys": ["..."], "tags": ["..."]}.';

/** The messages of the fine-mode parse. */
export function taskGoalPrompt(query: string): LLMMessage[] {
  return [
    { role: "system", content: SYSTEM },
    { role: "user", content: `Query: ${query}` },
  ];
}

/**
 * Fine mode: ask the LLM for the query's task goal (rephrased query, keys, tags, time hint).
 * Throws what generateObject throws (LLMOutputError after one repair turn, ProviderError);
 * the Searcher turns that into a fast-mode fallback with a warning.
 *
 * @example
 * const parsed = await parseFine(llm, "where did she move?", { maxTokens: 256 });
 * // { original: "where did she move?", rephrased: "Where did Caroline move to?", keys: ["home city"], tags: ["moving"] }
 */
export async function parseFine(
  llm: LanguageModel,
  query: string,
  options: { maxTokens?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ParsedQuery> {
  const { object } = await generateObject(llm, taskGoalPrompt(query), TaskGoalSchema, {
    maxTokens: options.maxTokens ?? 256,
    timeoutMs: options.timeoutMs,
    temperature: 0,
    signal: options.signal,
    schemaName: "task_goal",
  });
  const rephrased = object.rephrased_query.trim();
  const clean = (xs: string[]) => [...new Set(xs.map((x) => x.trim()).filter((x) => x !== ""))].slice(0, 16);
  return {
    original: query,
    rephrased: rephrased !== "" && rephrased !== query ? rephrased : undefined,
    keys: clean(object.keys),
    tags: clean(object.tags),
    time_hint: object.time_hint?.trim() || undefined,
  };
}

/** Fast mode: the query as is; keys and tags are matched against candidates later (see phraseIn). */
export function parseFast(query: string): ParsedQuery {
  return { original: query };
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** Lower-cased word tokens (stop words kept: they belong to phrases like "the old lighthouse"). */
export function words(text: string): string[] {
  return Array.from(text.normalize("NFKC").toLowerCase().matchAll(WORD), (m) => m[0]);
}

/** The token sequence of `text` as " a b c " so that phrase containment is a substring test on word boundaries. */
export function phraseKey(text: string): string {
  const w = words(text);
  return w.length === 0 ? "" : ` ${w.join(" ")} `;
}

/**
 * True when `phrase` (a key or tag) occurs in `haystack` as a whole-word phrase, ignoring case
 * and punctuation. Both sides are `phraseKey` outputs.
 *
 * @example
 * phraseIn(phraseKey("favourite food"), phraseKey("What is my favourite food?")) // true
 */
export function phraseIn(phrase: string, haystack: string): boolean {
  return phrase !== "" && haystack.includes(phrase);
}
