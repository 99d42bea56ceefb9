/**
 * Metric functions shared by the benchmarks. All are pure and dependency-free so they can be
 * checked on tiny hand-made cases (metrics.test.ts).
 */

/** Union of the turn ids covered by the first `k` retrieved memories (rank order). */
function coveredIds(retrieved: readonly (readonly string[])[], k: number): Set<string> {
  const out = new Set<string>();
  for (const ids of retrieved.slice(0, Math.max(0, k))) for (const id of ids) out.add(id);
  return out;
}

/**
 * Evidence recall: the fraction of the gold evidence ids found among the turn ids of the first
 * `k` retrieved memories. `retrieved[i]` is the list of turn ids memory `i` was built from.
 * Empty evidence gives NaN (callers leave such questions out rather than count them as 0 or 1).
 */
export function evidenceRecall(
  retrieved: readonly (readonly string[])[],
  evidence: readonly string[],
  k: number,
): number {
  const gold = new Set(evidence);
  if (gold.size === 0) return Number.NaN;
  const got = coveredIds(retrieved, k);
  let found = 0;
  for (const id of gold) if (got.has(id)) found++;
  return found / gold.size;
}

/** Hit: 1 when at least one gold evidence id is among the first `k` memories, else 0 (NaN if no evidence). */
export function evidenceHit(
  retrieved: readonly (readonly string[])[],
  evidence: readonly string[],
  k: number,
): number {
  if (evidence.length === 0) return Number.NaN;
  const got = coveredIds(retrieved, k);
  return evidence.some((id) => got.has(id)) ? 1 : 0;
}

/**
 * How many memories, taken in rank order, fit in a token budget. Rule: "stop" — packing ends
 * at the first memory that does not fit, even if a later, shorter one would. That is what a
 * prompt builder that keeps rank order does, and it does not reward a system for burying long
 * memories; a memory longer than the whole budget therefore yields an empty context.
 */
export function packByBudget(tokenCounts: readonly number[], budget: number): number {
  let used = 0;
  let n = 0;
  for (const t of tokenCounts) {
    if (used + t > budget) break;
    used += t;
    n++;
  }
  return n;
}

/**
 * Percentile by linear interpolation between closest ranks (numpy's default), p in [0, 100].
 * NaN for an empty list.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Arithmetic mean; NaN values are skipped, and an empty list gives NaN. */
export function mean(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
  }
  return n === 0 ? Number.NaN : sum / n;
}

/**
 * SQuAD answer normalisation: lower case, punctuation removed, articles (a, an, the) removed,
 * whitespace collapsed. Used by token F1 and BLEU-1 so "The Eiffel Tower." equals "eiffel tower".
 */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, " ")
    .replace(/\b(a|an|the)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function answerTokens(text: string): string[] {
  const n = normalizeAnswer(text);
  return n === "" ? [] : n.split(" ");
}

function counts(tokens: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of tokens) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** Clipped count of prediction tokens that also occur in the reference (multiset overlap). */
function overlap(pred: readonly string[], ref: readonly string[]): number {
  const refCounts = counts(ref);
  let common = 0;
  for (const [tok, c] of counts(pred)) common += Math.min(c, refCounts.get(tok) ?? 0);
  return common;
}

/**
 * Token-level F1 between a predicted and a gold answer (SQuAD / LoCoMo style), in [0, 1].
 * Both empty after normalisation counts as a match (1); one empty as 0.
 */
export function tokenF1(prediction: string, gold: string): number {
  const p = answerTokens(prediction);
  const g = answerTokens(gold);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const common = overlap(p, g);
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / g.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * Sentence BLEU-1: clipped unigram precision times the brevity penalty
 * (exp(1 - r/c) when the prediction is shorter than the reference), over SQuAD-normalised
 * tokens. In [0, 1]; an empty prediction scores 0.
 */
export function bleu1(prediction: string, reference: string): number {
  const p = answerTokens(prediction);
  const r = answerTokens(reference);
  if (p.length === 0) return r.length === 0 ? 1 : 0;
  const precision = overlap(p, r) / p.length;
  const bp = p.length >= r.length ? 1 : Math.exp(1 - r.length / p.length);
  return bp * precision;
}
