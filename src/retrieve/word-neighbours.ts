import type { Embedder } from "../core/interfaces/embedder.js";
import { cosine } from "../core/math/vector.js";

/** Most words a {@link WordVectors} cache keeps (20,000 × 100-d ≈ 8 MB); the oldest go first. */
export const WORD_CACHE_SIZE = 20_000;
/** Neighbours taken per query word at most. */
export const NEIGHBOURS_PER_TERM = 3;

/**
 * Word vectors from an embedder, one `doEmbed` call per batch of words it has not seen, kept in a
 * bounded cache (insertion order: the oldest word is evicted first). Meant for an in-process
 * embedder (GloVe), where a word costs a table lookup; a remote one would pay a request per batch.
 */
export class WordVectors {
  private static readonly shared = new WeakMap<Embedder, WordVectors>();
  private readonly cache = new Map<string, Float32Array>();

  /** One cache per embedder, shared by every searcher (cube) that uses it. */
  static for(embedder: Embedder): WordVectors {
    let v = WordVectors.shared.get(embedder);
    if (!v) {
      v = new WordVectors(embedder);
      WordVectors.shared.set(embedder, v);
    }
    return v;
  }

  constructor(
    private readonly embedder: Embedder,
    private readonly capacity = WORD_CACHE_SIZE,
  ) {}

  /** The vector of every word (unit length, from the embedder), in a map. */
  async get(words: readonly string[], signal?: AbortSignal): Promise<Map<string, Float32Array>> {
    const missing = [...new Set(words.filter((w) => !this.cache.has(w)))];
    for (let i = 0; i < missing.length; i += this.embedder.maxBatch) {
      const batch = missing.slice(i, i + this.embedder.maxBatch);
      const vectors = await this.embedder.doEmbed(batch, { signal });
      for (const [j, w] of batch.entries()) this.cache.set(w, vectors[j] as Float32Array);
    }
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string);
    return new Map(words.map((w) => [w, this.cache.get(w) as Float32Array]));
  }
}

/**
 * For each query word, the candidate words closest to it in the embedder's space (cosine at least
 * `threshold`, {@link NEIGHBOURS_PER_TERM} at most), with that similarity as their weight: "pet" →
 * cat (0.68), "race" → marathon (0.57), "books" → novel (0.54). A word reached from two query
 * words keeps its best weight; query words themselves are never their own neighbours.
 *
 * @example
 * await neighbourTerms(["pet"], ["cat", "shelter", "peanut"], vectors, 0.5); // Map { "cat" => 0.68 }
 */
export async function neighbourTerms(
  queryWords: readonly string[],
  candidates: readonly string[],
  vectors: WordVectors,
  threshold: number,
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (queryWords.length === 0 || candidates.length === 0) return out;
  const asked = new Set(queryWords);
  const pool = [...new Set(candidates)].filter((w) => !asked.has(w));
  const v = await vectors.get([...asked, ...pool], signal);
  for (const q of asked) {
    const qv = v.get(q) as Float32Array;
    const near: [string, number][] = [];
    for (const w of pool) {
      const s = cosine(qv, v.get(w) as Float32Array);
      if (s >= threshold) near.push([w, s]);
    }
    near.sort((a, b) => b[1] - a[1]);
    for (const [w, s] of near.slice(0, NEIGHBOURS_PER_TERM)) out.set(w, Math.max(out.get(w) ?? 0, s));
  }
  return out;
}
