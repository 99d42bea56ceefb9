import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { type Embedder, embedMany } from "../../core/interfaces/embedder.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import { cosine } from "../../core/math/vector.js";

export interface CosineRerankerOptions {
  /** Embeds the query and the documents; its vector space decides what "similar" means. */
  embedder: Embedder;
}

/** Cosine similarity; 0 when either vector is all zeros (nothing to compare). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new InvalidInputError({ message: `vector dimensions differ: ${a.length} vs ${b.length}` });
  }
  return cosine(a, b);
}

/**
 * Scores documents by the cosine similarity of their embeddings to the query's, in [-1, 1].
 * Create it with {@link createCosineReranker}.
 */
export class CosineReranker implements Reranker {
  readonly specificationVersion = "v1" as const;
  readonly provider = "cosine";
  readonly modelId: string;

  /** @internal Use {@link createCosineReranker}. */
  constructor(private readonly embedder: Embedder) {
    this.modelId = `cosine:${embedder.provider}:${embedder.modelId}`;
  }

  async doRerank(query: string, documents: string[], options?: { signal?: AbortSignal }): Promise<number[]> {
    if (documents.length === 0) return [];
    // One pass, query first, so small batches are not split needlessly.
    const vectors = await embedMany(this.embedder, [query, ...documents], options);
    const q = vectors[0] as Float32Array;
    return vectors.slice(1).map((d) => cosineSimilarity(q, d));
  }
}

/**
 * Create the default reranker: cosine similarity under an embedder (the same one the store uses
 * is a fine choice; a stronger one reranks better).
 *
 * @example
 * const reranker = createCosineReranker({ embedder: await createGloveEmbedder() });
 * const scores = await reranker.doRerank("tea", ["I like tea", "the sky is blue"]);
 */
export function createCosineReranker(options: CosineRerankerOptions): CosineReranker {
  if (!options?.embedder) {
    throw new InvalidInputError({
      message: "createCosineReranker needs an embedder",
      hint: "pass { embedder }",
    });
  }
  return new CosineReranker(options.embedder);
}
