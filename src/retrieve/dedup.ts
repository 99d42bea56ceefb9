import { cosine } from "../core/math/vector.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { ResolvedSearchOptions } from "./options.js";
import type { RecallPath, SearchHit } from "./types.js";
import type { VectorLookup } from "./vectors.js";

export interface Candidate {
  item: TextualMemoryItem;
  score: number;
  paths: RecallPath[];
}

/**
 * Text as compared for exact duplicates: NFC, trimmed, whitespace collapsed, lower case.
 *
 * @example
 * normalizedText("  Zoe plays the CELLO. ") // "zoe plays the cello."
 */
export function normalizedText(text: string): string {
  return text.normalize("NFC").trim().replace(/\s+/g, " ").toLowerCase();
}

/**
 * Merge candidates that share an id or a text (MemOS users see "the same memory returned
 * repeatedly": working-memory copies, re-imported duplicates). Input best first; each group
 * keeps its best score and the union of paths, and is represented by its best non-WorkingMemory
 * item when it has one (the durable memory, not the copy), else its best item.
 *
 * @example
 * mergeSame([{ item: a, score: 0.9, paths: ["working"] }, { item: aCopy, score: 0.5, paths: ["vector"] }]);
 * // one candidate: item a (or its durable twin), score 0.9, paths ["working", "vector"]
 */
export function mergeSame(
  candidates: Candidate[],
  normalize: (item: TextualMemoryItem) => string = (item) => normalizedText(item.memory),
): Candidate[] {
  const groups = new Map<string, Candidate & { members: TextualMemoryItem[] }>();
  const seenIds = new Map<string, string>();
  for (const c of candidates) {
    const key = seenIds.get(c.item.id) ?? normalize(c.item);
    seenIds.set(c.item.id, key);
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { ...c, paths: [...c.paths], members: [c.item] });
      continue;
    }
    for (const p of c.paths) if (!g.paths.includes(p)) g.paths.push(p);
    if (c.score > g.score) g.score = c.score;
    g.members.push(c.item);
  }
  return [...groups.values()].map((g) => ({
    item: g.members.find((m) => m.metadata.memory_type !== "WorkingMemory") ?? g.item,
    score: g.score,
    paths: g.paths,
  }));
}

/**
 * "sim": walk best first and drop a candidate whose cosine with an already kept one is at least
 * `threshold`. Candidates without a vector are kept (they cannot be compared).
 *
 * @example
 * dedupSim(candidates, await lookup.vectors(candidates.map((c) => c.item)), 0.92);
 */
export function dedupSim(
  candidates: Candidate[],
  vectors: Map<string, Float32Array>,
  threshold: number,
): Candidate[] {
  const kept: Candidate[] = [];
  const keptVectors: Float32Array[] = [];
  for (const c of candidates) {
    const v = vectors.get(c.item.id);
    if (v && keptVectors.some((k) => cosine(k, v) >= threshold)) continue;
    kept.push(c);
    if (v) keptVectors.push(v);
  }
  return kept;
}

/**
 * normalizedText by item, remembered per id while the text stays the same: long chat windows
 * cost more to normalise than the rest of a small cube's search.
 *
 * @example
 * const normalize = cachedNormalizer();
 * mergeSame(candidates, normalize);
 */
export function cachedNormalizer(capacity = 8192): (item: TextualMemoryItem) => string {
  const cache = new Map<string, { text: string; norm: string }>();
  return (item) => {
    const hit = cache.get(item.id);
    if (hit && hit.text === item.memory) return hit.norm;
    const norm = normalizedText(item.memory);
    if (cache.size >= capacity) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(item.id, { text: item.memory, norm });
    return norm;
  };
}

/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998): repeatedly pick the candidate with the
 * best λ·relevance − (1−λ)·(max cosine to those picked), relevance being the score over the best
 * score. Near-duplicates (cosine ≥ `threshold` with a picked one) are dropped, not just demoted,
 * so a short result list cannot fill up with rephrasings of one fact. Returns selection order.
 *
 * @example
 * dedupMmr(candidates, vectors, 0.7, 0.92); // λ = 0.7: mostly relevance, some diversity
 */
export function dedupMmr(
  candidates: Candidate[],
  vectors: Map<string, Float32Array>,
  lambda: number,
  threshold: number,
): Candidate[] {
  const best = Math.max(...candidates.map((c) => c.score), 0);
  const rel = (c: Candidate) => (best > 0 ? c.score / best : 0);
  const remaining = candidates.map((c) => ({ c, v: vectors.get(c.item.id), maxSim: 0 }));
  const picked: Candidate[] = [];
  while (remaining.length > 0) {
    let bestIdx = -1;
    let bestVal = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < remaining.length; i++) {
      const r = remaining[i] as (typeof remaining)[number];
      const val = lambda * rel(r.c) - (1 - lambda) * r.maxSim;
      if (val > bestVal) {
        bestVal = val;
        bestIdx = i;
      }
    }
    const [chosen] = remaining.splice(bestIdx, 1);
    if (!chosen) break;
    picked.push(chosen.c);
    // Update each remaining candidate's similarity to the picked set; drop near-duplicates.
    for (let i = remaining.length - 1; i >= 0; i--) {
      const r = remaining[i] as (typeof remaining)[number];
      if (!chosen.v || !r.v) continue;
      const s = cosine(chosen.v, r.v);
      if (s >= threshold) remaining.splice(i, 1);
      else if (s > r.maxSim) r.maxSim = s;
    }
  }
  return picked;
}

/**
 * Remove near-duplicates as `opts.dedup` says (`no`, `sim`, `mmr`), with the candidates' vectors
 * from `vectors` (their own, cached, stored, or embedded once).
 */
export async function dedupCandidates(
  vectors: VectorLookup,
  candidates: Candidate[],
  opts: ResolvedSearchOptions,
  signal: AbortSignal | undefined,
): Promise<Candidate[]> {
  if (opts.dedup === "no" || candidates.length < 2) return candidates;
  // The ranking pass already limited the candidates to the head of the fused list.
  const byId = await vectors.vectors(
    candidates.map((c) => c.item),
    signal,
  );
  return opts.dedup === "sim"
    ? dedupSim(candidates, byId, opts.simThreshold)
    : dedupMmr(candidates, byId, opts.mmrLambda, opts.simThreshold);
}

/** Per-type caps, then the overall top-k, in the given order. */
export function limitPerType(candidates: Candidate[], opts: ResolvedSearchOptions): SearchHit[] {
  const perType = new Map<string, number>();
  const hits: SearchHit[] = [];
  for (const c of candidates) {
    if (hits.length >= opts.topK) break;
    const type = c.item.metadata.memory_type;
    const cap = opts.perTypeTopK.get(type);
    const used = perType.get(type) ?? 0;
    if (cap !== undefined && used >= cap) continue;
    perType.set(type, used + 1);
    hits.push({ item: c.item, score: c.score, paths: c.paths });
  }
  return hits;
}
