/**
 * FTS5 MATCH expressions. User query text is data, never FTS5 syntax: it is split into word
 * tokens (shared/query-terms.ts) and each token becomes a quoted FTS5 string, OR-ed with the
 * others. Quoting turns `AND`, `NEAR(`, `*`, `-`, `:` and `^` into plain words; a double quote
 * cannot occur in a token, and is doubled anyway in case the token rule ever changes.
 */
import { MAX_QUERY_TERMS, queryTerms } from "../shared/query-terms.js";

/** FTS5 MATCH expression OR-ing the terms, each quoted; null when there are none. */
export function matchExpression(terms: readonly string[], operator: "OR" | "AND" = "OR"): string | null {
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(` ${operator} `);
}

/**
 * FTS5 MATCH expression for a free-text query, or null when it has no word tokens (e.g. only
 * punctuation), in which case the search has nothing to look for.
 *
 * @example
 * buildMatchExpression('tea "hi" AND NEAR(x') // => '"tea" OR "hi" OR "near" OR "x"'
 */
export function buildMatchExpression(query: string, maxTerms = MAX_QUERY_TERMS): string | null {
  return matchExpression(queryTerms(query, maxTerms));
}
