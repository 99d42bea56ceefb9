import { InvalidInputError } from "../../core/errors/index.js";
import type { ScoredId, SearchOptions } from "../../core/interfaces/store.js";
import { PRUNE_MIN_DOCS, pruneCommonTerms, queryTerms } from "../shared/query-terms.js";
import { resolveFilter } from "../shared/resolve-filter.js";
import { keywordFilterPolicy, searchKeywords } from "../shared/search-strategy.js";
import { searchK } from "../shared/validate.js";
import type { SqliteContext } from "./context.js";
import { filterWhere, passRateKey, type SqlFragment } from "./filter-sql.js";
import { matchExpression } from "./fts.js";
import { FTS_TOKENIZER } from "./schema.js";
import { TermStats } from "./vocab.js";

type RankRow = { id: string; rank: number };

/** bm25() is lower-is-better (negative); the interface wants higher-is-better. */
const toScored = (rows: RankRow[]): ScoredId[] => rows.map((r) => ({ id: r.id, score: -r.rank }));

/**
 * Keyword search on SQLite: BM25 ranking by FTS5 (fts.ts builds the MATCH expressions, vocab.ts
 * reads term frequencies), run by the shared strategy's conjunctive-first and over-fetch rules.
 */
export class SqliteKeywordSearch {
  private readonly termStats: TermStats;

  constructor(private readonly ctx: SqliteContext) {
    this.termStats = new TermStats(ctx.db, FTS_TOKENIZER);
  }

  keywordSearch(query: string, options: SearchOptions): ScoredId[] {
    const k = searchK(options);
    if (typeof query !== "string") {
      throw new InvalidInputError({
        message: "keyword query must be a string",
        hint: 'e.g. keywordSearch("coffee", {k: 5})',
      });
    }
    const node = resolveFilter(options.filter);
    const w = filterWhere(node);
    // An empty term list (only punctuation) has no word to look for: the strategy returns [].
    const { terms, large } = this.keywordTerms(query);
    // Vector search notes how many candidates pass the filter; keyword candidates are as relevant.
    const key = passRateKey(w);
    return searchKeywords(
      k,
      node !== undefined,
      {
        terms,
        large,
        rank: (t, op, fetch, n) => this.rank(matchExpression(t, op) as string, w, fetch, n),
        rankAll: (t, op, n) => this.rankAll(matchExpression(t, op) as string, w, n),
      },
      keywordFilterPolicy(this.ctx.passRates.get(key)),
    );
  }

  /** BM25 ranking of the best `fetch` matches, then the filter, best first. */
  private rank(match: string, w: SqlFragment, fetch: number, k: number) {
    // Rank inside FTS5 first and join only the best hits: joining every match of a common word
    // before sorting costs more than the ranking itself.
    const rows = this.ctx
      .stmt(
        `WITH hits AS MATERIALIZED (
         SELECT rowid AS rid, bm25(items_fts) AS rank FROM items_fts WHERE items_fts MATCH ?
         ORDER BY rank, rowid LIMIT ?
       )
       SELECT i.id AS id, hits.rank AS rank, (SELECT count(*) FROM hits) AS fetched
       FROM hits CROSS JOIN items i ON i.rid = hits.rid
       WHERE ${w.sql}
       ORDER BY hits.rank, i.id LIMIT ?`,
      )
      .all(match, fetch, ...w.params, k) as (RankRow & { fetched: number })[];
    const fetched = rows[0]?.fetched ?? fetch;
    return { rows: toScored(rows), exhausted: fetched < fetch };
  }

  /** A selective filter: rank every match that passes it. */
  private rankAll(match: string, w: SqlFragment, k: number): ScoredId[] {
    return toScored(
      this.ctx
        .stmt(
          `SELECT i.id AS id, bm25(items_fts) AS rank
         FROM items_fts CROSS JOIN items i ON i.rid = items_fts.rowid
         WHERE items_fts MATCH ? AND ${w.sql}
         ORDER BY rank, i.id LIMIT ?`,
        )
        .all(match, ...w.params, k) as RankRow[],
    );
  }

  /**
   * The query's terms, without those common enough to cost more than they rank (see
   * pruneCommonTerms): read in one snapshot, so the counts agree with each other.
   */
  private keywordTerms(query: string): { terms: string[]; large: boolean } {
    const terms = queryTerms(query);
    if (terms.length < 2) return { terms, large: false };
    const inTransaction = this.ctx.db.inTransaction;
    return this.ctx.read(() => {
      const docs = (this.ctx.stmt("SELECT count(*) AS n FROM items").get() as { n: number }).n;
      if (docs < PRUNE_MIN_DOCS) return { terms, large: false };
      // Inside an open transaction its own uncommitted writes move no version: do not cache there.
      const version = inTransaction ? `tx:${Math.random()}` : this.ctx.dataVersion();
      const df = this.termStats.documentFrequencies(terms, version);
      return { terms: pruneCommonTerms(terms, (t) => df.get(t), docs), large: true };
    });
  }
}
