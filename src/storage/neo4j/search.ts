/**
 * Vector and keyword search on Neo4j, with the shared over-fetch rules
 * (storage/shared/search-strategy.ts). Vectors: the HNSW vector index first (it holds every cube
 * of the database, so the cube is a filter applied after it, over-fetched), then an exact ranking
 * among the cube's filtered vectors when the index cannot fill k. Every candidate is re-scored in
 * float64 from its stored vector and ranked (distance, id), as the other stores rank. Keywords:
 * the full-text index (Lucene BM25) over memory, key and tags, queried with quoted terms.
 */
import type { ScoredId } from "../../core/interfaces/store.js";
import { cosine } from "../../core/math/vector.js";
import type { FilterNode } from "../../core/schema/filter.js";
import { queryTerms } from "../shared/query-terms.js";
import {
  ANN_FILTER_OVERFETCH,
  compareIds,
  fillAfterFilterAsync,
  firstFetch,
  KEYWORD_OVERFETCH,
  rankByDistance,
} from "../shared/search-strategy.js";
import * as cypher from "./cypher.js";
import type { RunQuery } from "./server.js";

/** Extra rows the exact path fetches beyond k, so float32 ordering in Neo4j cannot drop a tie at the edge. */
const EXACT_MARGIN = 16;

type VectorRow = { id: string; embedding: number[] | null };

function rescore(query: Float32Array, rows: VectorRow[], k: number): ScoredId[] {
  const candidates = rows
    .filter((r): r is { id: string; embedding: number[] } => Array.isArray(r.embedding))
    .map((r) => ({ id: r.id, distance: 1 - cosine(query, r.embedding) }));
  return rankByDistance(candidates, k);
}

/**
 * The vector index's answer: the best k of the cube's filtered vectors among its candidates,
 * over-fetched and grown once; undefined when they cannot fill k (run {@link exactVectorSearch}).
 *
 * @example
 * const hits = (await annVectorSearch(run, "c1", query, 10, filter)) ?? (await exactVectorSearch(run, "c1", query, 10, filter));
 */
export function annVectorSearch(
  run: RunQuery,
  cube: string,
  query: Float32Array,
  k: number,
  filter: FilterNode | undefined,
): Promise<ScoredId[] | undefined> {
  const vector = Array.from(query);
  const policy = ANN_FILTER_OVERFETCH;
  return fillAfterFilterAsync(
    k,
    firstFetch(k, policy),
    policy,
    async (fetch) => {
      const [row] = await run(cypher.vectorCandidates(cube, vector, fetch, filter));
      const seen = Number(row?.seen ?? 0);
      return { rows: rescore(query, (row?.rows as VectorRow[]) ?? [], k), exhausted: seen < fetch };
    },
    // HNSW is approximate: running out of candidates does not prove there are no more.
    false,
  );
}

/** The exact best k among the cube's filtered vectors, by cosine similarity. */
export async function exactVectorSearch(
  run: RunQuery,
  cube: string,
  query: Float32Array,
  k: number,
  filter: FilterNode | undefined,
): Promise<ScoredId[]> {
  const rows = await run(cypher.vectorExact(cube, Array.from(query), k + EXACT_MARGIN, filter));
  return rescore(query, rows as VectorRow[], k);
}

/**
 * BM25 keyword search over memory, key and tags (query text is data: its word tokens become
 * quoted Lucene terms, OR-ed). The cube and filter run after the index, over-fetched; when they
 * leave fewer than k, every hit is ranked.
 *
 * @example
 * const hits = await neo4jKeywordSearch(run, "c1", "green tea", 10, undefined);
 */
export async function neo4jKeywordSearch(
  run: RunQuery,
  cube: string,
  text: string,
  k: number,
  filter: FilterNode | undefined,
): Promise<ScoredId[]> {
  const terms = queryTerms(text);
  if (terms.length === 0) return [];
  const lucene = cypher.luceneQuery(terms);
  const hits = await fillAfterFilterAsync(
    k,
    firstFetch(k, KEYWORD_OVERFETCH),
    KEYWORD_OVERFETCH,
    async (fetch) => {
      const [row] = await run(cypher.keywordCandidates(cube, lucene, fetch, filter));
      // Ties in score go by id, as keywordAll's ORDER BY and the other stores break them.
      const rows = [...((row?.rows as ScoredId[]) ?? [])]
        .sort((a, b) => b.score - a.score || compareIds(a.id, b.id))
        .slice(0, k);
      return { rows, exhausted: Number(row?.seen ?? 0) < fetch };
    },
    true,
  );
  if (hits) return hits;
  const rows = await run(cypher.keywordAll(cube, lucene, k, filter));
  return rows.map((r) => ({ id: r.id as string, score: Number(r.score) }));
}
