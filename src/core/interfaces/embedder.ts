/**
 * Turns texts into vectors. Versioned like the Vercel AI SDK's provider specs: an adapter
 * declares the version it implements, so the interface can evolve without silent breakage.
 */
export interface Embedder {
  readonly specificationVersion: "v1";
  /** e.g. "glove", "openai", "ollama". */
  readonly provider: string;
  /** Identifies the vector space: vectors from different model ids must not be mixed. */
  readonly modelId: string;
  readonly dimensions: number;
  /** Largest batch one `doEmbed` call accepts; `embedMany` splits larger inputs. */
  readonly maxBatch: number;
  /**
   * True when embedding is in-process CPU work with no I/O (GloVe): re-embedding a memory's text
   * is then cheaper than reading its stored vector back, and search does so. Leave it unset for
   * anything behind a network call or a GPU queue.
   */
  readonly inProcess?: boolean;
  /** Embed a batch of texts; one vector per text, same order. L2-normalised where the model allows. */
  doEmbed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
}

/** Embed any number of texts, respecting the embedder's batch limit. */
export async function embedMany(embedder: Embedder, texts: string[], options?: { signal?: AbortSignal }) {
  return inBatches(texts, embedder.maxBatch, (batch) => embedder.doEmbed(batch, options));
}

/**
 * Run `embed` on consecutive slices of at most `size` texts, one after another, and join the
 * vectors in input order (for `embedMany`, and for embedders whose backend takes bounded batches).
 *
 * @example
 * return inBatches(texts, this.maxBatch, (batch) => this.embedBatch(batch, signal));
 */
export async function inBatches(
  texts: string[],
  size: number,
  embed: (batch: string[]) => Promise<Float32Array[]>,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += size) out.push(...(await embed(texts.slice(i, i + size))));
  return out;
}
