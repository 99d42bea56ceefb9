import { InvalidInputError } from "../../core/errors/index.js";
import type { ScoredId, SearchOptions } from "../../core/interfaces/store.js";
import { PRUNE_MIN_DOCS, pruneCommonTerms, queryTerms } from "../shared/query-terms.js";
import { resolveFilter } from "../shared/resolve-filter.js";
import { searchK } from "../shared/validate.js";
import { compileFilter } from "./filter-sql.js";
import { TS_CONFIG } from "./schema.js";
import type { CubeState, Session } from "./session.js";
import type { SqlFragment } from "./sql.js";

/** BM25 parameters, FTS5's (so scores match the SQLite store's formula). */
const K1 = 1.2;
const B = 0.75;

/**
 * Keyword search on PostgreSQL: the GIN-indexed tsvector finds the matches, and BM25 ranks them
 * in SQL with FTS5's formula: idf = ln((N - df + 0.5) / (df + 0.5)) (at least 1e-6), term
 * frequency from the tsvector's positions, document length = its token count, k1 = 1.2,
 * b = 0.75; N, average length and df are counted over the cube at query time. The query's terms
 * are those of every store (shared/query-terms.ts queryTerms: word tokens, function words dropped
 * unless nothing else is left), each turned into a tsquery by plainto_tsquery, so query text is
 * data, never tsquery syntax. Large cubes prune common terms and try every-term matches first,
 * by the SQLite store's rules (see shared/search-strategy.ts searchKeywords).
 */
export async function keywordSearch(
  s: Session,
  cube: CubeState,
  query: string,
  options: SearchOptions,
): Promise<ScoredId[]> {
  const k = searchK(options);
  if (typeof query !== "string") {
    throw new InvalidInputError({
      message: "keyword query must be a string",
      hint: 'e.g. keywordSearch("coffee", {k: 5})',
    });
  }
  const w = compileFilter(resolveFilter(options.filter));
  let terms = queryTerms(query);
  if (terms.length === 0) return [];
  let large = false;
  if (terms.length >= 2) {
    const { rows } = await s.query<{ n: string }>("SELECT count(*) AS n FROM memos_items WHERE cube = ?", [
      cube.cube,
    ]);
    const docs = Number(rows[0]?.n ?? 0);
    if (docs >= PRUNE_MIN_DOCS) {
      large = true;
      const df = await documentFrequencies(s, cube, terms);
      terms = pruneCommonTerms(terms, (t) => df.get(t), docs);
    }
  }
  if (large && terms.length >= 2) {
    const all = await rank(s, cube, terms, "AND", w, k);
    if (all.length >= k) return all;
  }
  return rank(s, cube, terms, "OR", w, k);
}

/** How many of the cube's memories match each term. */
async function documentFrequencies(
  s: Session,
  cube: CubeState,
  terms: string[],
): Promise<Map<string, number>> {
  const { rows } = await s.query<{ term: string; df: string }>(
    `SELECT t.term, (SELECT count(*) FROM memos_items d
                     WHERE d.cube = ? AND d.tsv @@ plainto_tsquery('${TS_CONFIG}', t.term)) AS df
     FROM unnest(?::text[]) AS t(term)`,
    [cube.cube, terms],
  );
  return new Map(rows.map((r) => [r.term, Number(r.df)]));
}

/** BM25 over the memories matching all (AND) or any (OR) of the terms and the filter, best k. */
async function rank(
  s: Session,
  cube: CubeState,
  terms: string[],
  operator: "AND" | "OR",
  w: SqlFragment,
  k: number,
): Promise<ScoredId[]> {
  const tsquery = terms
    .map(() => `plainto_tsquery('${TS_CONFIG}', ?::text)`)
    .join(operator === "AND" ? " && " : " || ");
  const { rows } = await s.query<{ id: string; score: number }>(
    `WITH lex AS MATERIALIZED (
       SELECT DISTINCT u.lexeme FROM unnest(?::text[]) AS t(term)
       CROSS JOIN LATERAL unnest(to_tsvector('${TS_CONFIG}', t.term)) AS u
     ),
     stats AS MATERIALIZED (
       SELECT count(*)::float8 AS n, coalesce(avg(doc_len), 0)::float8 AS avgdl FROM memos_items WHERE cube = ?
     ),
     idf AS MATERIALIZED (
       SELECT l.lexeme, greatest(ln((st.n - d.df + 0.5) / (d.df + 0.5)), 1e-6) AS idf
       FROM lex l CROSS JOIN stats st
       CROSS JOIN LATERAL (
         SELECT count(*)::float8 AS df FROM memos_items m
         WHERE m.cube = ? AND m.tsv @@ quote_literal(l.lexeme)::tsquery
       ) AS d
     ),
     hits AS MATERIALIZED (
       SELECT i.id, i.tsv, i.doc_len FROM memos_items i
       WHERE i.cube = ? AND i.tsv @@ (${tsquery}) AND ${w.sql}
     )
     SELECT h.id, sum(idf.idf * x.tf * ${K1 + 1} / (x.tf + ${K1} * (${1 - B} + ${B} * h.doc_len / greatest(st.avgdl, 1)))) AS score
     FROM hits h CROSS JOIN stats st
     CROSS JOIN LATERAL (
       SELECT u.lexeme, coalesce(array_length(u.positions, 1), 1)::float8 AS tf FROM unnest(h.tsv) AS u
     ) AS x
     JOIN idf ON idf.lexeme = x.lexeme
     GROUP BY h.id
     ORDER BY score DESC, h.id
     LIMIT ?`,
    [terms, cube.cube, cube.cube, cube.cube, ...terms, ...w.params, k],
  );
  return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
}
