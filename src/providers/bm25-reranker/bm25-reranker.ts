import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import { ENGLISH_STOP_WORDS, tokenize } from "./bm25-tokenize.js";

export interface Bm25RerankerOptions {
  /** Term-frequency saturation. Default 1.2. */
  k1?: number;
  /** Length normalisation, 0 (none) to 1 (full). Default 0.75. */
  b?: number;
  /** Words to ignore. Default: a compact English list; pass an empty set to keep every word. */
  stopWords?: ReadonlySet<string>;
}

/**
 * Okapi BM25 over the given documents themselves: term statistics (document frequency, average
 * length) come from the candidates, so it needs no index and suits reranking a recalled set.
 * IDF is `ln(1 + (N − n + 0.5) / (n + 0.5))` (the non-negative Lucene form), so a term found in
 * every candidate still counts a little instead of subtracting. Scores are ≥ 0 and unbounded.
 * Create it with {@link createBm25Reranker}.
 */
export class Bm25Reranker implements Reranker {
  readonly specificationVersion = "v1" as const;
  readonly provider = "bm25";
  readonly modelId: string;
  private readonly k1: number;
  private readonly b: number;
  private readonly stopWords: ReadonlySet<string>;

  /** @internal Use {@link createBm25Reranker}. */
  constructor(options: Required<Bm25RerankerOptions>) {
    this.k1 = options.k1;
    this.b = options.b;
    this.stopWords = options.stopWords;
    this.modelId = `okapi-bm25(k1=${this.k1},b=${this.b})`;
  }

  async doRerank(query: string, documents: string[]): Promise<number[]> {
    return this.score(query, documents);
  }

  /** Synchronous scoring, for callers outside the async Reranker interface. */
  score(query: string, documents: string[]): number[] {
    if (documents.length === 0) return [];
    const terms = [...new Set(tokenize(query, this.stopWords))];
    if (terms.length === 0) return documents.map(() => 0);
    const docs = documents.map((d) => {
      const tf = new Map<string, number>();
      const tokens = tokenize(d, this.stopWords);
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      return { tf, length: tokens.length };
    });
    const n = docs.length;
    const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / n || 1;
    const idf = new Map(
      terms.map((t) => {
        const df = docs.reduce((count, d) => count + (d.tf.has(t) ? 1 : 0), 0);
        return [t, Math.log(1 + (n - df + 0.5) / (df + 0.5))] as const;
      }),
    );
    return docs.map((d) => {
      let score = 0;
      const norm = this.k1 * (1 - this.b + (this.b * d.length) / avgLength);
      for (const t of terms) {
        const f = d.tf.get(t);
        if (f) score += (idf.get(t) as number) * ((f * (this.k1 + 1)) / (f + norm));
      }
      return score;
    });
  }
}

/**
 * Create a BM25 reranker: lexical, no model, fast — good when queries share words with the
 * memories (names, places, dates).
 *
 * @example
 * const reranker = createBm25Reranker();
 * await reranker.doRerank("green tea", ["I drink green tea daily", "Coffee please"]); // [≈0.9, 0]
 */
export function createBm25Reranker(options: Bm25RerankerOptions = {}): Bm25Reranker {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  if (!(Number.isFinite(k1) && k1 >= 0))
    throw new InvalidInputError({ message: `k1 must be ≥ 0, got ${k1}` });
  if (!(Number.isFinite(b) && b >= 0 && b <= 1))
    throw new InvalidInputError({ message: `b must be in [0, 1], got ${b}` });
  return new Bm25Reranker({ k1, b, stopWords: options.stopWords ?? ENGLISH_STOP_WORDS });
}
