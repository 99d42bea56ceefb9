/**
 * A small in-memory Okapi BM25 index, for benchmark baselines only (the product's keyword
 * search is the store's FTS5). Kept deliberately plain so the baseline is easy to audit.
 */

/** Common English function words; dropping them keeps BM25 from matching on "what did the". */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an and are as at be been being but by can could did do does doing for from had has have " +
    "having he her hers him his how i if in into is it its itself me my no nor not of on or our " +
    "ours she so some such than that the their theirs them then there these they this those to " +
    "too was we were what when where which while who whom why will with would you your yours"
  ).split(" "),
);

export interface Bm25Options {
  /** Term-frequency saturation. Default 1.2. */
  k1?: number;
  /** Length normalisation. Default 0.75. */
  b?: number;
  /** Words to ignore, lower case. Default ENGLISH_STOP_WORDS; pass an empty set to keep all. */
  stopWords?: ReadonlySet<string>;
}

/** Lower-cased runs of letters and digits (Unicode aware), minus stop words. */
export function tokenize(text: string, stopWords: ReadonlySet<string> = ENGLISH_STOP_WORDS): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    if (!stopWords.has(m[0])) out.push(m[0]);
  }
  return out;
}

export interface Bm25Hit {
  /** Position of the document in the array the index was built from. */
  index: number;
  score: number;
}

/** Okapi BM25 over a fixed list of documents. */
export class Bm25Index {
  private readonly k1: number;
  private readonly b: number;
  private readonly stopWords: ReadonlySet<string>;
  private readonly termFreqs: Map<string, number>[] = [];
  private readonly lengths: number[] = [];
  private readonly docFreq = new Map<string, number>();
  private readonly avgLength: number;

  constructor(docs: readonly string[], options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
    this.stopWords = options.stopWords ?? ENGLISH_STOP_WORDS;
    let total = 0;
    for (const doc of docs) {
      const tokens = tokenize(doc, this.stopWords);
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const t of tf.keys()) this.docFreq.set(t, (this.docFreq.get(t) ?? 0) + 1);
      this.termFreqs.push(tf);
      this.lengths.push(tokens.length);
      total += tokens.length;
    }
    this.avgLength = docs.length === 0 ? 0 : total / docs.length;
  }

  get size(): number {
    return this.termFreqs.length;
  }

  /**
   * Inverse document frequency, Lucene's variant log(1 + (N - df + 0.5) / (df + 0.5)): always
   * positive, so a term present in most documents still counts a little instead of negatively.
   */
  idf(term: string): number {
    const n = this.termFreqs.length;
    const df = this.docFreq.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** The best `k` documents for `query`, best first; documents scoring 0 are left out. Ties keep document order. */
  search(query: string, k: number): Bm25Hit[] {
    // Each distinct query term counts once: repeated words in a question are not extra evidence.
    const terms = [...new Set(tokenize(query, this.stopWords))].filter((t) => this.docFreq.has(t));
    if (terms.length === 0 || k <= 0) return [];
    const hits: Bm25Hit[] = [];
    for (let i = 0; i < this.termFreqs.length; i++) {
      const tf = this.termFreqs[i] as Map<string, number>;
      const norm = this.k1 * (1 - this.b + (this.b * (this.lengths[i] as number)) / (this.avgLength || 1));
      let score = 0;
      for (const t of terms) {
        const f = tf.get(t);
        if (f === undefined) continue;
        score += (this.idf(t) * f * (this.k1 + 1)) / (f + norm);
      }
      if (score > 0) hits.push({ index: i, score });
    }
    hits.sort((a, b) => b.score - a.score || a.index - b.index);
    return hits.slice(0, k);
  }
}
