import type { ScoredId, SearchOptions } from "../../core/interfaces/store.js";
import { resolveFilter } from "../shared/resolve-filter.js";
import { ANN_OVERFETCH, firstFetch, rankByDistance, toScored } from "../shared/search-strategy.js";
import { searchK } from "../shared/validate.js";
import { dimensionMismatch, queryVector } from "../shared/vector-input.js";
import { compileFilter } from "./filter-sql.js";
import { refreshCube } from "./items.js";
import type { CubeState, Session } from "./session.js";
import { type SqlFragment, vectorText } from "./sql.js";

/** pgvector's largest `hnsw.ef_search`: an approximate query fetches at most this many. */
const MAX_EF_SEARCH = 1000;

type Row = { id: string; distance: number };

/**
 * Vector search on PostgreSQL. The whole filter runs inside the candidate query (SQL WHERE), so
 * nothing is over-fetched for it. With the cube's HNSW index (see items.ts maybeBuildAnnIndex),
 * pgvector's iterative index scan fetches the nearest candidates that pass the filter, with the
 * margin of the shared strategy's ANN policy; they are re-ranked by (distance, id) and, when they
 * cannot fill k, the exact path answers, as the shared strategy (shared/search-strategy.ts) does
 * for SQLite. Scores are cosine similarity; ties break by id (UTF-8 bytes), as on every store.
 */
export async function vectorSearch(
  s: Session,
  cube: CubeState,
  vector: Float32Array,
  options: SearchOptions,
): Promise<ScoredId[]> {
  const k = searchK(options);
  const node = resolveFilter(options.filter);
  const q = queryVector(vector);
  // Another process may have stored the first vector or built the index meanwhile.
  if (cube.dims === undefined || (!cube.annIndex && Number.isFinite(cube.annThreshold))) {
    await refreshCube(s, cube);
  }
  const dims = cube.dims;
  if (dims === undefined) return []; // nothing has a vector yet
  if (q.length !== dims) throw dimensionMismatch(q.length, dims, "the query vector");
  const text = vectorText(q);
  const w = compileFilter(node);
  if (cube.annIndex) {
    const fetch = firstFetch(k, ANN_OVERFETCH);
    if (fetch <= MAX_EF_SEARCH) {
      const rows = await approximate(s, cube, dims, text, w, fetch);
      if (rows.length >= k) return rankByDistance(rows, k);
    }
  }
  return exact(s, cube, text, w, k);
}

/**
 * The HNSW index (a partial index on this cube, its vectors cast to the cube's dimension): the
 * query repeats the index's expression and predicate so the planner can use it. The cube key and
 * dimension are our integers; the query vector and filter values are parameters.
 */
async function approximate(
  s: Session,
  cube: CubeState,
  dims: number,
  text: string,
  w: SqlFragment,
  fetch: number,
): Promise<Row[]> {
  await s.query(
    "SELECT set_config('hnsw.ef_search', ?, false), set_config('hnsw.iterative_scan', 'strict_order', false)",
    [String(Math.max(40, fetch))],
  );
  const expr = `i.embedding::vector(${dims}) <=> ?::vector(${dims})`;
  const { rows } = await s.query<Row>(
    `SELECT i.id, (${expr}) AS distance FROM memos_items i
     WHERE i.cube = ${cube.cube} AND i.embedding IS NOT NULL AND ${w.sql}
     ORDER BY ${expr} LIMIT ?`,
    [text, ...w.params, text, fetch],
  );
  // A stored all-zero vector has no direction: NaN distance, never a match.
  return rows.filter((r) => !Number.isNaN(r.distance));
}

/** Exact ranking among the rows that pass the filter (the expression differs from the index's, so no index serves it). */
async function exact(
  s: Session,
  cube: CubeState,
  text: string,
  w: SqlFragment,
  k: number,
): Promise<ScoredId[]> {
  const { rows } = await s.query<Row>(
    `SELECT id, distance FROM (
       SELECT i.id, (i.embedding <=> ?::vector) AS distance FROM memos_items i
       WHERE i.cube = ? AND i.embedding IS NOT NULL AND ${w.sql}
     ) AS x
     WHERE distance <> 'NaN'::float8
     ORDER BY distance, id LIMIT ?`,
    [text, cube.cube, ...w.params, k],
  );
  return rows.map(toScored);
}
