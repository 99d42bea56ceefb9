/**
 * Full-text query text for Neo4j's Lucene index, built from quoted terms only.
 *
 * @module
 */

/** Escape a term for a Lucene phrase: the query text is data, never Lucene syntax. */
export function lucenePhrase(term: string): string {
  return `"${term.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A Lucene query OR-ing (or AND-ing) quoted terms. */
export function luceneQuery(terms: string[], operator: "OR" | "AND" = "OR"): string {
  return terms.map(lucenePhrase).join(` ${operator} `);
}
