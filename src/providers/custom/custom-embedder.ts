/**
 * An embedder from your own function: wrap any embedding service or local model.
 *
 * @module
 */
import { ConfigError } from "../../core/errors/config-error.js";
import { errorMessage } from "../../core/errors/error-message.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { checkEmbedInput } from "../shared/embed-input.js";

/** Options of {@link createCustomEmbedder}: your embedding function and its vector size. */
export interface CustomEmbedderOptions {
  /** Length of every vector `embed` returns; checked on each call (stores depend on it). */
  dimensions: number;
  /** One vector per text, in order. */
  embed: (texts: string[], options: { signal?: AbortSignal }) => Promise<ArrayLike<number>[]>;
  /** Largest batch `embed` accepts; default 128. */
  maxBatch?: number;
  /** Identifies the vector space; default "custom". */
  modelId?: string;
  /** Default "custom". */
  provider?: string;
  /**
   * Set when `embed` is cheap in-process work (no network, no GPU queue): search then re-embeds
   * candidates instead of reading their stored vectors (see `Embedder.inProcess`). Default false.
   */
  inProcess?: boolean;
}

class CustomEmbedder implements Embedder {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  readonly dimensions: number;
  readonly maxBatch: number;
  readonly inProcess: boolean;

  constructor(private readonly options: CustomEmbedderOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions <= 0) {
      throw new ConfigError({
        message: `custom embedder: dimensions must be a positive integer, got ${options.dimensions}`,
      });
    }
    this.dimensions = options.dimensions;
    this.maxBatch = Math.max(1, options.maxBatch ?? 128);
    this.modelId = options.modelId ?? "custom";
    this.provider = options.provider ?? "custom";
    this.inProcess = options.inProcess ?? false;
  }

  async doEmbed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    checkEmbedInput(texts);
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.maxBatch) {
      // User functions may ignore the signal; the wrapper honours it between batches.
      options.signal?.throwIfAborted();
      const batch = texts.slice(i, i + this.maxBatch);
      let vectors: ArrayLike<number>[];
      try {
        vectors = await this.options.embed(batch, options);
      } catch (error) {
        if (MemosError.isInstance(error)) throw error;
        const message = errorMessage(error);
        throw new ProviderError({
          message: `${this.provider} embedder failed: ${message}`,
          provider: this.provider,
          cause: error,
        });
      }
      if (!Array.isArray(vectors) || vectors.length !== batch.length) {
        throw new ProviderError({
          message: `${this.provider} embedder returned ${Array.isArray(vectors) ? vectors.length : "no"} vectors for ${batch.length} texts`,
          provider: this.provider,
        });
      }
      vectors.forEach((v, j) => {
        if (!v || v.length !== this.dimensions) {
          throw new ProviderError({
            message: `${this.provider} embedder returned a vector of length ${v?.length ?? "none"} for text ${i + j}, expected ${this.dimensions}`,
            hint: "set `dimensions` to the real output size of your embedding function",
            provider: this.provider,
          });
        }
        out.push(Float32Array.from(v));
      });
    }
    return out;
  }
}

/**
 * Make an embedder from an `embed(texts)` function; every vector's length is checked.
 *
 * @example
 * const embedder = createCustomEmbedder({
 *   dimensions: 384,
 *   modelId: "my-minilm",
 *   embed: async (texts) => (await fetch(url, { method: "POST", body: JSON.stringify({ texts }) }).then((r) => r.json())).vectors,
 * });
 */
export function createCustomEmbedder(options: CustomEmbedderOptions): Embedder {
  return new CustomEmbedder(options);
}
