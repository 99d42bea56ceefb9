/**
 * Embedder on an Ollama server (`/api/embed`, which returns L2-normalised vectors). Made by
 * `createOllama(...).embedding(model, {dimensions})`.
 *
 * @module
 */
import { ConfigError } from "../../core/errors/config-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import { type Embedder, inBatches } from "../../core/interfaces/embedder.js";
import { checkEmbedInput } from "../shared/embed-input.js";
import { withRetry, withRetryAfter } from "../shared/retry.js";
import type { OllamaConnection } from "./ollama-client.js";
import { knownOllamaDimensions } from "./ollama-embedding-dimensions.js";
import { mapOllamaError } from "./ollama-errors.js";

export interface OllamaEmbeddingSettings {
  /**
   * The model's vector size; known for common models (nomic-embed-text 768, mxbai-embed-large
   * 1024, all-minilm 384, ...), required otherwise. It is checked against every response, not
   * sent: Ollama models have a fixed output size.
   */
  dimensions?: number;
  /** Texts per request; default 256. */
  maxBatch?: number;
  /** How long the server keeps the model loaded, e.g. "5m". */
  keepAlive?: string | number;
}

export class OllamaEmbedder implements Embedder {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  readonly dimensions: number;
  readonly maxBatch: number;

  constructor(
    modelId: string,
    private readonly settings: OllamaEmbeddingSettings,
    private readonly connection: OllamaConnection,
  ) {
    this.modelId = modelId;
    this.provider = connection.provider;
    const dimensions = settings.dimensions ?? knownOllamaDimensions(modelId);
    if (dimensions === undefined || !Number.isInteger(dimensions) || dimensions <= 0) {
      throw new ConfigError({
        message: `Ollama embedding model "${modelId}" needs its dimensions`,
        hint: "pass {dimensions: N} (config: embedding_dims), the length of the vectors this model returns",
      });
    }
    this.dimensions = dimensions;
    this.maxBatch = Math.max(1, settings.maxBatch ?? 256);
  }

  async doEmbed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    checkEmbedInput(texts);
    return inBatches(texts, this.maxBatch, (batch) => this.embedBatch(batch, options.signal));
  }

  private async embedBatch(texts: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const response = await withRetry(
      async (attemptSignal) => {
        const { client, retryAfter } = await this.connection.client(attemptSignal);
        try {
          return await client.embed({
            model: this.modelId,
            input: texts,
            ...(this.settings.keepAlive !== undefined ? { keep_alive: this.settings.keepAlive } : {}),
          });
        } catch (error) {
          const mapped = mapOllamaError(error, {
            provider: this.provider,
            modelId: this.modelId,
            host: this.connection.host(),
          });
          throw withRetryAfter(mapped as object, retryAfter());
        }
      },
      {
        maxRetries: this.connection.maxRetries,
        timeoutMs: this.connection.timeoutMs,
        signal,
        provider: this.provider,
      },
    );
    const embeddings = response.embeddings ?? [];
    if (embeddings.length !== texts.length) {
      throw new ProviderError({
        message: `${this.provider}:${this.modelId} returned ${embeddings.length} embeddings for ${texts.length} texts`,
        provider: this.provider,
      });
    }
    return embeddings.map((v, i) => {
      if (!Array.isArray(v) || v.length !== this.dimensions) {
        throw new ProviderError({
          message: `${this.provider}:${this.modelId} returned a vector of length ${Array.isArray(v) ? v.length : "none"} at index ${i}, expected ${this.dimensions}`,
          hint: "set `dimensions` (embedding_dims) to the model's real output size",
          provider: this.provider,
        });
      }
      return Float32Array.from(v);
    });
  }
}
