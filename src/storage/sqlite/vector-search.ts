import type { ScoredId, SearchOptions } from "../../core/interfaces/store.js";
import { resolveFilter } from "../shared/resolve-filter.js";
import { rankByDistance, searchVectors, toScored } from "../shared/search-strategy.js";
import { searchK } from "../shared/validate.js";
import { dimensionMismatch, queryVector } from "../shared/vector-input.js";
import type { AnnCache } from "./ann-cache.js";
import type { AnnSearcher } from "./ann-changes.js";
import type { SqliteContext } from "./context.js";
import { filterWhere, passRateKey, type SqlFragment, vecPushdown } from "./filter-sql.js";
import { VEC_MAX_K, vectorBlob } from "./vectors.js";

/** Up to this many filtered rows, exact search computes their distances one by one. */
const POINT_LOOKUP_LIMIT = 2000;

type Row = { id: string; distance: number };

/**
 * Vector search on SQLite: the primitives the shared strategy (shared/search-strategy.ts) runs,
 * over sqlite-vec's KNN and exact distances and the HNSW index the {@link AnnCache} keeps.
 * Scores are cosine similarity; ties break by id, as on every path.
 */
export class SqliteVectorSearch {
  constructor(
    private readonly ctx: SqliteContext,
    private readonly ann: AnnCache,
  ) {}

  vectorSearch(vector: Float32Array, options: SearchOptions): ScoredId[] {
    const k = searchK(options);
    const node = resolveFilter(options.filter);
    const q = queryVector(vector);
    const dims = this.ctx.dims;
    if (dims === undefined) return []; // nothing has a vector yet
    if (q.length !== dims) throw dimensionMismatch(q.length, dims, "the query vector");
    const blob = vectorBlob(q);
    const w = filterWhere(node);
    const push = vecPushdown(node);
    const filterKey = passRateKey(w);
    return searchVectors(k, node !== undefined, {
      maxK: VEC_MAX_K,
      pushdownExact: push.exact,
      scanAll: (n) => this.exactScan(blob, w, n),
      approximate: () => {
        const index = this.ann.index();
        return (
          index && {
            size: index.size,
            search: (count, n) => this.passing(index, q, count, w, n, filterKey),
          }
        );
      },
      passRate: this.ctx.passRates.get(filterKey),
      knn: (fetch, n) => this.knn(blob, push, w, fetch, n),
      exactFiltered: (n) => this.exactFiltered(blob, w, n),
    });
  }

  /** Exact KNN by sqlite-vec, with the part of the filter it can run inside the scan. */
  private knn(blob: Buffer, push: SqlFragment, w: SqlFragment, fetch: number, k: number) {
    // MATERIALIZED keeps the KNN a single sqlite-vec scan instead of one probe per joined row,
    // and CROSS JOIN keeps the candidates as the outer loop: otherwise the planner may walk a
    // filter index over most of the table and probe the candidates for each row.
    // A stored all-zero vector has no direction: its cosine distance is NULL and it is never a
    // match (the item is still found by keyword and graph search).
    const rows = this.ctx
      .stmt(
        `WITH knn AS MATERIALIZED (
         SELECT rowid AS rid, distance FROM vec_items WHERE embedding MATCH ? AND k = ?${push.sql}
       )
       SELECT i.id AS id, knn.distance AS distance, (SELECT count(*) FROM knn) AS fetched
       FROM knn CROSS JOIN items i ON i.rid = knn.rid
       WHERE knn.distance IS NOT NULL AND ${w.sql}
       ORDER BY knn.distance, i.id
       LIMIT ?`,
      )
      .all(blob, fetch, ...push.params, ...w.params, k) as (Row & { fetched: number })[];
    // Exhausted when sqlite-vec ran out of candidates (it saw every vector that could match).
    // With no row at all we cannot tell, and the exact path decides.
    const fetched = rows[0]?.fetched ?? fetch;
    return { rows: rows.map(toScored), exhausted: fetched < fetch };
  }

  /**
   * HNSW candidates with their exact cosine distances (computed by usearch from its stored copy
   * of each vector), kept when their items pass the full filter, best k by (distance, id) as the
   * exact path orders them: equal to exact search whenever the true top k are among them.
   */
  private passing(
    index: AnnSearcher,
    q: Float32Array,
    count: number,
    w: SqlFragment,
    k: number,
    filterKey: string | undefined,
  ): ScoredId[] {
    const hits = index.search(q, count);
    if (hits.length === 0) return [];
    const ids = new Map(
      (
        this.ctx
          .stmt(
            `SELECT i.rid AS rid, i.id AS id FROM json_each(?) AS j CROSS JOIN items i ON i.rid = j.value
           WHERE ${w.sql}`,
          )
          .all(JSON.stringify(hits.map((h) => h.rid)), ...w.params) as { rid: number; id: string }[]
      ).map((r) => [r.rid, r.id]),
    );
    const out: Row[] = [];
    for (const h of hits) {
      const id = ids.get(h.rid);
      if (id !== undefined) out.push({ id, distance: h.distance });
    }
    this.ctx.passRates.note(filterKey, out.length / hits.length);
    return rankByDistance(out, k);
  }

  /**
   * The filter is selective: too few of the nearest candidates pass it. Find the rows that pass,
   * then rank exactly among them: one distance each when they are few, else a sqlite-vec scan
   * restricted to them.
   */
  private exactFiltered(blob: Buffer, w: SqlFragment, k: number): ScoredId[] {
    const rids = (
      this.ctx.stmt(`SELECT i.rid AS rid FROM items i WHERE ${w.sql}`).all(...w.params) as { rid: number }[]
    ).map((r) => r.rid);
    if (rids.length === 0) return [];
    const ridJson = JSON.stringify(rids);
    const rows =
      rids.length <= POINT_LOOKUP_LIMIT
        ? (this.ctx
            .stmt(
              `SELECT it.id AS id, x.distance AS distance FROM (
               SELECT j.value AS rid, vec_distance_cosine(v.embedding, ?) AS distance
               FROM json_each(?) AS j CROSS JOIN vec_items v ON v.rowid = j.value
             ) AS x JOIN items it ON it.rid = x.rid
             WHERE x.distance IS NOT NULL
             ORDER BY x.distance, it.id LIMIT ?`,
            )
            .all(blob, ridJson, k) as Row[])
        : (this.ctx
            .stmt(
              `WITH knn AS MATERIALIZED (
               SELECT rowid AS rid, distance FROM vec_items
               WHERE embedding MATCH ? AND k = ? AND rowid IN (SELECT value FROM json_each(?))
             )
             SELECT it.id AS id, knn.distance AS distance FROM knn JOIN items it ON it.rid = knn.rid
             WHERE knn.distance IS NOT NULL
             ORDER BY knn.distance, it.id`,
            )
            .all(blob, k, ridJson) as Row[]);
    return rows.map(toScored);
  }

  /** Exact search over every filtered row; only for k beyond sqlite-vec's KNN limit. */
  private exactScan(blob: Buffer, w: SqlFragment, k: number): ScoredId[] {
    const rows = this.ctx
      .stmt(
        `SELECT id, distance FROM (
         SELECT i.id AS id, vec_distance_cosine(v.embedding, ?) AS distance
         FROM items i CROSS JOIN vec_items v ON v.rowid = i.rid
         WHERE ${w.sql}
       ) WHERE distance IS NOT NULL
       ORDER BY distance, id LIMIT ?`,
      )
      .all(blob, ...w.params, k) as Row[];
    return rows.map(toScored);
  }
}
