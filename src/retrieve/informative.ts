import type { ScoredId } from "../core/interfaces/store.js";

/**
 * Keyword hits scoring below this matched only words found in more than half the memories.
 * SQLite's FTS5 and the Postgres store floor such a word's idf at 1e-6, so its matches score
 * ~1e-6 where any informative match scores ~0.1 or more.
 */
export const MIN_KEYWORD_SCORE = 1e-3;
/**
 * Fewer near-zero hits than this are kept: in a cube of one or two memories every word is in
 * "more than half" of them, and a word matching one memory of two still singles it out.
 */
export const MIN_UNINFORMATIVE_HITS = 4;

/**
 * The keyword hits that carry evidence. A match on a word nearly every memory holds (a speaker's
 * name, which labels each of their turns) gets ~0 from BM25, but rank fusion only sees ranks: left
 * in, such a list would put the memories that repeat the name first ("What race is Maya preparing
 * for?" → the turn saying "I'm Maya" twice). Stores whose BM25 has no floor (Qdrant, Neo4j score
 * such words low but above it) keep every hit.
 *
 * @example
 * informativeHits([{ id: "a", score: 2.1 }, ...fourNearZeroHits]); // [{ id: "a", score: 2.1 }]
 */
export function informativeHits(hits: readonly ScoredId[]): ScoredId[] {
  const low = hits.filter((h) => h.score < MIN_KEYWORD_SCORE).length;
  return low < MIN_UNINFORMATIVE_HITS ? [...hits] : hits.filter((h) => h.score >= MIN_KEYWORD_SCORE);
}
