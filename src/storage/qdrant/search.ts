/**
 * Vector and keyword search on Qdrant. Vectors: Qdrant's HNSW search with the pushed filter,
 * over-fetched when part of the filter runs afterwards (shared/search-strategy.ts rules), then an
 * exact scan of the filtered points when that cannot fill k. Every candidate is re-scored in
 * float64 from its vector and ranked (distance, id), as the other stores rank. Keywords: the
 * payload's full-text index finds the memories holding any query term; BM25 ranks them here,
 * with document frequencies from exact counts over the cube and the average length of the matches.
 */
import type { ScoredId } from "../../core/interfaces/store.js";
import { cosine } from "../../core/math/vector.js";
import { type FilterNode, matchesFilter } from "../../core/schema/filter.js";
import { queryTerms } from "../shared/query-terms.js";
import {
  ANN_FILTER_OVERFETCH,
  ANN_OVERFETCH,
  compareIds,
  fillAfterFilterAsync,
  firstFetch,
  rankByDistance,
} from "../shared/search-strategy.js";
import { toQdrantError } from "./client.js";
import type { CollectionRef } from "./collection.js";
import { type QdrantFilter, qdrantFilter } from "./filter.js";
import { PAYLOAD, VECTOR_NAME } from "./points.js";
import { countPoints, type ReadPoint, readPoint, scrollAll, WITHOUT_VECTOR_COPY } from "./reads.js";

type Passes = (p: ReadPoint) => boolean;

function passes(node: FilterNode | undefined, exact: boolean): Passes {
  if (!node || exact) return () => true;
  return (p) => matchesFilter(p.item as Parameters<typeof matchesFilter>[0], node);
}

function rank(query: Float32Array, points: ReadPoint[], k: number): ScoredId[] {
  return rankByDistance(
    points
      .filter((p) => p.vector)
      .map((p) => ({ id: p.item.id, distance: 1 - cosine(query, p.vector as number[]) })),
    k,
  );
}

/**
 * The best k of the cube's vectors passing `filter`, by cosine similarity.
 *
 * @example
 * const hits = await qdrantVectorSearch(ref, "c1", query, 10, normalizeFilter({ user_id: "u1" }));
 */
export async function qdrantVectorSearch(
  ref: CollectionRef,
  cube: string,
  query: Float32Array,
  k: number,
  node: FilterNode | undefined,
): Promise<ScoredId[]> {
  const { filter, exact } = qdrantFilter(cube, node);
  const keep = passes(node, exact);
  const policy = exact ? ANN_OVERFETCH : ANN_FILTER_OVERFETCH;
  const vector = Array.from(query);
  const hits = await fillAfterFilterAsync(
    k,
    exact ? k : firstFetch(k, policy),
    policy,
    async (fetch) => {
      let found: { payload?: Record<string, unknown> | null; vector?: unknown }[];
      try {
        found = await ref.client.search(ref.name, {
          vector: { name: VECTOR_NAME, vector },
          filter,
          limit: fetch,
          with_payload: WITHOUT_VECTOR_COPY,
          with_vector: [VECTOR_NAME],
        });
      } catch (error) {
        throw toQdrantError(error, ref.url, "vector search");
      }
      const points = found.map((p) => readPoint(p)).filter(keep);
      return { rows: rank(query, points, k), exhausted: found.length < fetch };
    },
    // HNSW is approximate: running out of candidates does not prove there are no more.
    false,
  );
  if (hits) return hits;
  return rank(query, (await scrollAll(ref, filter, true)).filter(keep), k);
}

const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

/** Term frequencies and length of a text, tokenised as the query terms are. */
function termCounts(text: string): { tf: Map<string, number>; length: number } {
  const tf = new Map<string, number>();
  let length = 0;
  for (const m of text.normalize("NFKC").matchAll(TOKEN)) {
    const t = m[0].toLowerCase();
    tf.set(t, (tf.get(t) ?? 0) + 1);
    length++;
  }
  return { tf, length };
}

const K1 = 1.2;
const B = 0.75;

/**
 * BM25 keyword search over memory, key and tags (query text is data: its word tokens become
 * full-text `match` conditions). Scores are Lucene's BM25 (positive), best first, ties by id.
 *
 * @example
 * const hits = await qdrantKeywordSearch(ref, "c1", "green tea", 10, undefined);
 */
export async function qdrantKeywordSearch(
  ref: CollectionRef,
  cube: string,
  text: string,
  k: number,
  node: FilterNode | undefined,
): Promise<ScoredId[]> {
  const terms = queryTerms(text);
  if (terms.length === 0) return [];
  const { filter, exact } = qdrantFilter(cube, node);
  const termFilter = (term: string) => ({ key: PAYLOAD.text, match: { text: term } });
  const anyTerm: QdrantFilter = { ...filter, should: terms.map(termFilter) };
  const matches = (await scrollAll(ref, anyTerm)).filter(passes(node, exact));
  if (matches.length === 0) return [];
  const cubeOnly = qdrantFilter(cube, undefined).filter;
  const n = await countPoints(ref, cubeOnly);
  const df = await Promise.all(
    terms.map((t) => countPoints(ref, { must: [...(cubeOnly.must ?? []), termFilter(t)] })),
  );
  const docs = matches.map((p) => ({ id: p.item.id, ...termCounts(String(p.payload[PAYLOAD.text] ?? "")) }));
  const avg = docs.reduce((sum, d) => sum + d.length, 0) / docs.length || 1;
  const idf = df.map((d) => Math.log(1 + (n - d + 0.5) / (d + 0.5)));
  const scored = docs
    .map((d) => {
      const norm = K1 * (1 - B + (B * d.length) / avg);
      let score = 0;
      terms.forEach((t, i) => {
        const f = d.tf.get(t);
        if (f) score += (idf[i] as number) * ((f * (K1 + 1)) / (f + norm));
      });
      return { id: d.id, score };
    })
    .filter((s) => s.score > 0);
  scored.sort((a, b) => b.score - a.score || compareIds(a.id, b.id));
  return scored.slice(0, k);
}
