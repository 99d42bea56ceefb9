/**
 * The search strategy every MemoryStore adapter shares, written once and parameterised by the
 * store's own primitives. A store brings what only it can do (run a KNN query with part of the
 * filter inside it, search an approximate index, rank keyword matches, scan exactly); this file
 * decides how they combine:
 *
 * - **filter pushed down**: the store runs as much of the filter as it can inside its candidate
 *   query (see {@link pushDownConjuncts}); when all of it runs there, nothing is over-fetched;
 * - **over-fetch and growth**: when part of the filter runs afterwards, more candidates than k
 *   are fetched ({@link OverFetchPolicy}), and the fetch grows while post-filtering leaves fewer
 *   than k, up to the policy's rounds ({@link fillAfterFilter});
 * - **exact fallback**: when the approximate index is absent, stale or cannot fill k, and when
 *   candidates run short after the last round, an exact path answers, so a filter never makes a
 *   search miss a match ({@link searchVectors}, {@link searchKeywords});
 * - **scores**: one conversion from cosine distance and one ordering, (distance, id by UTF-8
 *   bytes), so every path of every store ranks ties alike ({@link rankByDistance}).
 *
 * A new adapter (Postgres with pgvector, say) provides {@link VectorSearchPrimitives} and
 * {@link KeywordSearchPrimitives} for one query and calls `searchVectors` / `searchKeywords`; it
 * gets the same over-fetch, growth and fallback rules as the SQLite store, and the conformance
 * suite (`src/testing/store-conformance.ts`) checks the results agree.
 *
 * @example
 * // inside a store's vectorSearch, after validating the query:
 * return searchVectors(k, filter !== undefined, {
 *   maxK: 4096,
 *   pushdownExact: pushed.exact,
 *   scanAll: (k) => sqlExactScan(k),
 *   approximate: () => hnsw && { size: hnsw.size, search: (n, k) => passing(hnsw.search(q, n), k) },
 *   knn: (fetch, k) => sqlKnn(fetch, k), // returns { rows, exhausted: candidates < fetch }
 *   exactFiltered: (k) => sqlExactAmongFiltered(k),
 * });
 */
import type { ScoredId } from "../../core/interfaces/store.js";

/** How many candidates to fetch for k results when part of the filter runs after the fetch. */
export interface OverFetchPolicy {
  /** Candidates per wanted result on the first round. */
  factor: number;
  /** Candidates on the first round at least (small k would otherwise fetch too few to filter). */
  min: number;
  /** The fetch is multiplied by this after a round that left fewer than k. */
  growth: number;
  /** Rounds before giving up on this path (the caller then runs its exact path). */
  rounds: number;
  /** Fetch at most this many (a store's KNN limit); Infinity: unbounded. */
  max: number;
}

/**
 * Exact KNN with part of the filter afterwards. sqlite-vec's cost grows with k (about +50% from
 * k=10 to k=100 at 100k vectors), so this stays small; filters passing fewer than ~1 in 5 go to
 * the exact path instead.
 */
export const KNN_OVERFETCH: OverFetchPolicy = { factor: 5, min: 50, growth: 1, rounds: 1, max: Infinity };
/**
 * ANN candidates, re-scored exactly. Unfiltered, a small margin absorbs HNSW's misses; one growth
 * step (x4) follows before the exact path takes over.
 */
export const ANN_OVERFETCH: OverFetchPolicy = { factor: 2, min: 100, growth: 4, rounds: 2, max: Infinity };
/** ANN with a filter that runs afterwards: enough that a filter passing 1 in 4 still fills k. */
export const ANN_FILTER_OVERFETCH: OverFetchPolicy = { ...ANN_OVERFETCH, factor: 8 };
/**
 * The filtered ANN policy for a filter seen to pass `passRate` of the candidates: the unfiltered
 * margin divided by that rate, between the unfiltered and the filtered factor. Most searches
 * filter on status and user, which nearly every candidate passes: fetching 8x for them doubled
 * the cost of a general search at 100k. A filter not seen yet gets the full factor, and a rate
 * that dropped is caught by the growth round, so results never depend on the estimate.
 *
 * @example
 * annFilterPolicy(1).factor; // 2
 * annFilterPolicy(undefined).factor; // 8
 */
export function annFilterPolicy(passRate: number | undefined): OverFetchPolicy {
  if (passRate === undefined || !(passRate > 0)) return ANN_FILTER_OVERFETCH;
  const factor = Math.min(
    ANN_FILTER_OVERFETCH.factor,
    Math.max(ANN_OVERFETCH.factor, Math.ceil(ANN_OVERFETCH.factor / passRate)),
  );
  return { ...ANN_FILTER_OVERFETCH, factor };
}

/**
 * Keyword hits before a filter is applied. A BM25 index scores every match to find the best ones
 * anyway, so a generous fetch costs little and saves the rank-every-match fallback.
 */
export const KEYWORD_OVERFETCH: OverFetchPolicy = {
  factor: 20,
  min: 500,
  growth: 1,
  rounds: 1,
  max: Infinity,
};

/**
 * The keyword over-fetch for a filter seen to pass `passRate` of the candidates: twice what that
 * rate needs, at most the full factor; a filter not seen yet gets {@link KEYWORD_OVERFETCH}.
 * Joining a thousand hits to their items to apply a filter that all of them pass was the largest
 * part of a general search at 100k memories. A round left short falls back to ranking every
 * match, so results never depend on the estimate.
 *
 * @example
 * keywordFilterPolicy(1); // { factor: 2, min: 0, ... }
 */
export function keywordFilterPolicy(passRate: number | undefined): OverFetchPolicy {
  if (passRate === undefined || !(passRate > 0)) return KEYWORD_OVERFETCH;
  const factor = Math.min(KEYWORD_OVERFETCH.factor, Math.max(2, Math.ceil(2 / passRate)));
  return factor === KEYWORD_OVERFETCH.factor ? KEYWORD_OVERFETCH : { ...KEYWORD_OVERFETCH, factor, min: 0 };
}

/** The first fetch of a policy for k results. */
export function firstFetch(k: number, policy: OverFetchPolicy): number {
  return Math.min(policy.max, Math.max(k * policy.factor, policy.min));
}

/** One round of candidates, after the full filter. */
export interface CandidateRound<T> {
  /** Candidates that pass the whole filter, best first, at most k. */
  rows: T[];
  /** The source had no more candidates than were fetched: a bigger fetch would add nothing. */
  exhausted: boolean;
}

/**
 * Fetch candidates, filter, and grow the fetch while fewer than k pass. Returns the rows once k
 * pass; when the source is exhausted first, returns them if `exhaustedIsComplete` (an exact
 * source has then shown every match) and undefined otherwise (an approximate source may have
 * missed matches); undefined too after the last round. Undefined means: run the exact path.
 */
export function fillAfterFilter<T>(
  k: number,
  first: number,
  policy: Pick<OverFetchPolicy, "growth" | "rounds">,
  round: (fetch: number) => CandidateRound<T>,
  exhaustedIsComplete: boolean,
): T[] | undefined {
  let fetch = first;
  for (let i = 0; i < policy.rounds; i++) {
    const { rows, exhausted } = round(fetch);
    if (rows.length >= k) return rows;
    if (exhausted) return exhaustedIsComplete ? rows : undefined;
    fetch *= policy.growth;
  }
  return undefined;
}

/**
 * {@link fillAfterFilter} for stores whose rounds are queries to a server (Neo4j, Qdrant): the
 * same growth and stopping rules, each round awaited.
 */
export async function fillAfterFilterAsync<T>(
  k: number,
  first: number,
  policy: Pick<OverFetchPolicy, "growth" | "rounds">,
  round: (fetch: number) => Promise<CandidateRound<T>>,
  exhaustedIsComplete: boolean,
): Promise<T[] | undefined> {
  let fetch = first;
  for (let i = 0; i < policy.rounds; i++) {
    const { rows, exhausted } = await round(fetch);
    if (rows.length >= k) return rows;
    if (exhausted) return exhaustedIsComplete ? rows : undefined;
    fetch *= policy.growth;
  }
  return undefined;
}

/** An approximate nearest-neighbour index, as the strategy sees it. */
export interface ApproximateIndex {
  /** Vectors it holds. */
  readonly size: number;
  /**
   * The best k (by {@link rankByDistance}) of its `count` nearest candidates whose items pass the
   * full filter, with exact scores. `count` never exceeds `size`.
   */
  search(count: number, k: number): ScoredId[];
}

/** What a store provides for one vector query (already validated: k, dimension, filter). */
export interface VectorSearchPrimitives {
  /** Largest k the exact KNN answers in one query (sqlite-vec: 4096); Infinity when unbounded. */
  maxK: number;
  /** The whole filter runs inside the KNN query: fetch exactly k. */
  pushdownExact: boolean;
  /** Rank every row passing the filter; answers k beyond `maxK`. */
  scanAll(k: number): ScoredId[];
  /** The approximate index when it can serve now (built, current, big enough), else undefined. */
  approximate?(): ApproximateIndex | undefined;
  /**
   * Share (0–1] of approximate candidates that passed this same filter in recent searches, when
   * the store keeps track: sizes the first fetch (see {@link annFilterPolicy}).
   */
  passRate?: number;
  /** Exact KNN of `fetch` candidates (pushed filter inside), then the full filter, best k. */
  knn(fetch: number, k: number): CandidateRound<ScoredId>;
  /** Exact ranking among the rows that pass the filter: for filters too selective for `knn`. */
  exactFiltered(k: number): ScoredId[];
}

/** Over-fetch policies, when a store's costs differ from sqlite-vec's and usearch's. */
export interface VectorSearchPolicies {
  knn?: OverFetchPolicy;
  ann?: OverFetchPolicy;
  annFiltered?: OverFetchPolicy;
}

/**
 * Vector search over a store's primitives: the approximate index when it can fill k (growing its
 * fetch once), else exact KNN with the filter pushed down and over-fetched, else exact ranking
 * among the filtered rows. Results are best first, at most k, never an item the filter excludes.
 */
export function searchVectors(
  k: number,
  filtered: boolean,
  p: VectorSearchPrimitives,
  policies: VectorSearchPolicies = {},
): ScoredId[] {
  if (k > p.maxK) return p.scanAll(k);
  const ann = p.approximate?.();
  if (ann) {
    const policy = filtered
      ? (policies.annFiltered ?? annFilterPolicy(p.passRate))
      : (policies.ann ?? ANN_OVERFETCH);
    // Exhausted means every indexed vector was a candidate and still fewer than k passed: the
    // filter is selective or the index small, so exact search is needed or cheap.
    const hits = fillAfterFilter(
      k,
      firstFetch(k, policy),
      policy,
      (fetch) => ({ rows: ann.search(Math.min(fetch, ann.size), k), exhausted: fetch >= ann.size }),
      false,
    );
    if (hits) return hits;
  }
  const knn = policies.knn ?? KNN_OVERFETCH;
  const first = p.pushdownExact ? k : firstFetch(k, { ...knn, max: Math.min(knn.max, p.maxK) });
  return fillAfterFilter(k, first, knn, (fetch) => p.knn(fetch, k), true) ?? p.exactFiltered(k);
}

/** What a store provides for one keyword query (already validated). */
export interface KeywordSearchPrimitives<Query> {
  /** The query's terms (store-tokenised, common terms pruned); none: nothing to look for. */
  terms: Query[];
  /** The collection is large enough that conjunctive-first pays. */
  large: boolean;
  /** Best-ranked `fetch` matches of the terms (all of them, or any), then the filter, best k. */
  rank(terms: Query[], operator: "AND" | "OR", fetch: number, k: number): CandidateRound<ScoredId>;
  /** Rank every match of the terms that passes the filter: for selective filters. */
  rankAll(terms: Query[], operator: "AND" | "OR", k: number): ScoredId[];
}

/**
 * Keyword search over a store's primitives. Large collections try the memories holding every
 * term first (conjunctive-first, as search engines do) and match any term only when fewer than k
 * do: scoring every memory that holds one common word is what makes BM25 slow at scale, and a
 * memory with all the terms outranks one with a subset in nearly every case anyway. A filter
 * that runs after ranking is over-fetched; when it leaves fewer than k, every match is ranked.
 */
export function searchKeywords<Query>(
  k: number,
  filtered: boolean,
  p: KeywordSearchPrimitives<Query>,
  policy: OverFetchPolicy = KEYWORD_OVERFETCH,
): ScoredId[] {
  if (p.terms.length === 0) return [];
  const fetch = filtered ? firstFetch(k, policy) : k;
  const ranked = (operator: "AND" | "OR") =>
    fillAfterFilter(k, fetch, policy, (n) => p.rank(p.terms, operator, n, k), true) ??
    p.rankAll(p.terms, operator, k);
  if (p.large && p.terms.length >= 2) {
    const all = ranked("AND");
    if (all.length >= k) return all;
  }
  return ranked("OR");
}

/** Cosine similarity from a cosine distance (sqlite-vec, usearch, pgvector's `<=>`), clamped against float rounding. */
export function similarity(distance: number): number {
  return Math.max(-1, Math.min(1, 1 - distance));
}

/** Compare ids as SQL's BINARY collation does (UTF-8 bytes), so every path breaks ties alike. */
export function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Merge candidates into the best k, nearest first, ties by id, scored as cosine similarity:
 * the order an exact `ORDER BY distance, id` gives.
 */
export function rankByDistance(candidates: { id: string; distance: number }[], k: number): ScoredId[] {
  const sorted = [...candidates].sort((a, b) => a.distance - b.distance || compareIds(a.id, b.id));
  return sorted.slice(0, k).map(toScored);
}

/** A (id, cosine distance) row as a scored result. */
export function toScored(r: { id: string; distance: number }): ScoredId {
  return { id: r.id, score: similarity(r.distance) };
}
