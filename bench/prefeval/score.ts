/**
 * Scoring of PrefEval items: preference recall of one ranked list at k and at token budgets, and
 * the per-topic aggregation. Pure functions, checked on tiny hand-made cases (run.test.ts).
 */
import { evidenceHit, mean, packByBudget } from "../lib/metrics.js";
import { countTokens } from "../lib/tokens.js";
import type { Retrieved } from "../locomo/systems.js";
import { PREFERENCE_TURN_ID } from "./insert.js";
import type { PrefLlmRow } from "./llm.js";

/** One retrieval row: preference recall of a system on a topic ("all" = every item). */
export interface PrefRetrievalRow {
  system: string;
  topic: string;
  k?: number;
  budget_tokens?: number;
  /** Fraction of items whose preference turn is covered by the memories above the cut-off. */
  recall: number;
  items: number;
}

// Token counts are memoised: the same turns come back for many items.
const tokenCache = new Map<string, number>();
/** cl100k tokens of a text, memoised. */
export function tokensOf(text: string): number {
  let n = tokenCache.get(text);
  if (n === undefined) {
    n = countTokens(text);
    tokenCache.set(text, n);
  }
  return n;
}

/** Preference recall of one item's ranked results at each k and each budget (stop rule). */
export function scorePreference(
  results: readonly Retrieved[],
  kValues: readonly number[],
  budgets: readonly number[],
): { atK: number[]; atBudget: number[]; rank: number } {
  const ids = results.map((r) => r.diaIds);
  const gold = [PREFERENCE_TURN_ID];
  const tokens = results.map((r) => tokensOf(r.text));
  const rank = ids.findIndex((d) => d.includes(PREFERENCE_TURN_ID)) + 1;
  return {
    atK: kValues.map((k) => evidenceHit(ids, gold, k)),
    atBudget: budgets.map((b) => evidenceHit(ids, gold, packByBudget(tokens, b))),
    rank,
  };
}

/** One item's scores for one system. */
export interface ItemScore {
  system: string;
  topic: string;
  atK: number[];
  atBudget: number[];
  rank: number;
  followed?: boolean;
}

/** Rounds for reports; NaN stays NaN. */
export const round = (x: number, digits = 4) =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;

/** Recall rows per system and topic ("all" first), at every k then every budget. */
export function aggregate(
  scores: ItemScore[],
  systems: string[],
  topics: string[],
  kValues: number[],
  budgets: number[],
) {
  const rows: PrefRetrievalRow[] = [];
  for (const system of systems) {
    for (const topic of ["all", ...topics]) {
      // "all" is a micro-average: every item counts once, so larger topics weigh more.
      const qs = scores.filter((s) => s.system === system && (topic === "all" || s.topic === topic));
      if (qs.length === 0) continue;
      kValues.forEach((k, i) => {
        rows.push({
          system,
          topic,
          k,
          recall: round(mean(qs.map((q) => q.atK[i] as number))),
          items: qs.length,
        });
      });
      budgets.forEach((b, i) => {
        rows.push({
          system,
          topic,
          budget_tokens: b,
          recall: round(mean(qs.map((q) => q.atBudget[i] as number))),
          items: qs.length,
        });
      });
    }
  }
  return rows;
}

/** The fraction of answers that followed the preference, per system and topic. */
export function aggregateLlm(scores: ItemScore[], systems: string[], topics: string[]): PrefLlmRow[] {
  const rows: PrefLlmRow[] = [];
  for (const system of systems) {
    for (const topic of ["all", ...topics]) {
      // Only judged items: with --llm-questions the others have no verdict.
      const qs = scores.filter(
        (s) => s.followed !== undefined && s.system === system && (topic === "all" || s.topic === topic),
      );
      if (qs.length === 0) continue;
      rows.push({
        system,
        topic,
        items: qs.length,
        followed: round(mean(qs.map((q) => (q.followed ? 1 : 0)))),
      });
    }
  }
  return rows;
}
