/**
 * The words a keyword query searches for, and which of them to drop on a large cube. Every store
 * turns a query into terms here, so the same query searches the same words on each; the store
 * then ranks them with its own BM25 (FTS5, PostgreSQL, its own scan).
 */

/** Most terms a query contributes; more only slows BM25 down without changing the top hits. */
export const MAX_QUERY_TERMS = 64;

/**
 * Runs of letters, digits and combining marks, which is what unicode61 keeps as token
 * characters. Everything else (punctuation, FTS5 operators, quotes) separates tokens.
 */
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

/** Split text into distinct lower-cased word tokens, in first-seen order. */
export function tokenize(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.normalize("NFKC").matchAll(TOKEN)) {
    seen.add(m[0].toLowerCase());
  }
  return [...seen];
}

/**
 * English function words. They occur in most memories, so BM25 gives them almost no weight,
 * yet each one makes FTS5 score a large share of the index. They are dropped from a query that
 * has other words; a query made only of them is searched as it is.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an the and or but nor so of to in on at by for from with about into over after before " +
    "between through during without under is am are was were be been being do does did doing " +
    "have has had having i me my mine myself you your yours we our ours they them their theirs " +
    "he him his she her hers it its itself this that these those there here what which who whom " +
    "whose when where why how as if then than too very just also not no any some all each both " +
    "again once only own same such other more most s t d ll m re ve"
  ).split(" "),
);

/**
 * The terms a free-text query searches for: its distinct word tokens without function words
 * (unless nothing else is left), at most maxTerms of them.
 */
export function queryTerms(query: string, maxTerms = MAX_QUERY_TERMS): string[] {
  const all = tokenize(query);
  const content = all.filter((t) => !STOP_WORDS.has(t));
  return (content.length > 0 ? content : all).slice(0, maxTerms);
}

/**
 * A term found in more than this fraction of a cube's memories is dropped from a query that has
 * rarer terms. BM25 gives such a term little weight (idf = ln((N - df + 0.5) / (df + 0.5)) is at
 * most ln 4 = 1.4 at 20%, against 5-10 for a rare term), so it hardly reorders the memories that
 * match the rare terms; yet FTS5 must score every memory containing it, which is what makes
 * keyword search slow on large cubes (tens of thousands of matches per common word).
 */
export const COMMON_TERM_FRACTION = 0.2;
/** Below this many memories scoring is cheap and nothing is pruned: ranking stays plain BM25. */
export const PRUNE_MIN_DOCS = 2000;

/**
 * Drop the common terms (document frequency above {@link COMMON_TERM_FRACTION} of `docs`) from a
 * query, but only when at least one term that occurs somewhere remains; otherwise the query is
 * kept whole, so pruning never turns a query with matches into one without.
 *
 * @param df document frequency of a term; undefined when the term is in no memory
 * @example
 * pruneCommonTerms(["tea", "like"], (t) => (t === "like" ? 900 : 3), 2000) // => ["tea"]
 */
export function pruneCommonTerms(
  terms: readonly string[],
  df: (term: string) => number | undefined,
  docs: number,
  fraction = COMMON_TERM_FRACTION,
): string[] {
  if (docs < PRUNE_MIN_DOCS || terms.length < 2) return [...terms];
  const limit = docs * fraction;
  const kept = terms.filter((t) => (df(t) ?? 0) <= limit);
  return kept.some((t) => (df(t) ?? 0) > 0) ? kept : [...terms];
}
