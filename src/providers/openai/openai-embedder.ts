/**
 * Embedder over an OpenAI-compatible `/embeddings` endpoint. Made by
 * `createOpenAI(...).embedding(modelId, {dimensions})`.
 *
 * @module
 */
import { ConfigError } from "../../core/errors/config-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import { type Embedder, inBatches } from "../../core/interfaces/embedder.js";
import { checkEmbedInput } from "../shared/embed-input.js";
import { withRetry } from "../shared/retry.js";
import type { OpenAIConnection } from "./openai-client.js";
import { OPENAI_EMBEDDING_DIMENSIONS, supportsShortening } from "./openai-embedding-dimensions.js";
import { mapOpenAIError } from "./openai-errors.js";

export interface OpenAIEmbeddingSettings {
  /**
   * Vector size. Known for OpenAI's models (1536 for text-embedding-3-small and ada-002, 3072 for
   * text-embedding-3-large); required for any other model, because a store fixes its vector width
   * before the first embedding. For text-embedding-3-* a smaller value is requested from the API
   * (Matryoshka shortening); for other models it is checked against what the server returns.
   */
  dimensions?: number;
  /** Texts per request; default 2048 (OpenAI's limit). Lower it for servers with smaller batches. */
  maxBatch?: number;
}

/** OpenAI's per-request input limit. */
export const OPENAI_MAX_BATCH = 2048;

export class OpenAIEmbedder implements Embedder {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  readonly dimensions: number;
  readonly maxBatch: number;
  private readonly requestDimensions: boolean;

  constructor(
    modelId: string,
    settings: OpenAIEmbeddingSettings,
    private readonly connection: OpenAIConnection,
  ) {
    this.modelId = modelId;
    this.provider = connection.provider;
    const known = OPENAI_EMBEDDING_DIMENSIONS[modelId];
    const dimensions = settings.dimensions ?? known;
    if (dimensions === undefined || !Number.isInteger(dimensions) || dimensions <= 0) {
      throw new ConfigError({
        message: `embedding model "${modelId}" on ${this.provider} needs its dimensions`,
        hint: `pass {dimensions: N} (config: embedding_dims), the length of the vectors this model returns`,
      });
    }
    this.dimensions = dimensions;
    this.maxBatch = Math.max(1, Math.min(settings.maxBatch ?? OPENAI_MAX_BATCH, OPENAI_MAX_BATCH));
    this.requestDimensions =
      settings.dimensions !== undefined && supportsShortening(modelId) && settings.dimensions !== known;
  }

  async doEmbed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    checkEmbedInput(texts);
    return inBatches(texts, this.maxBatch, (batch) => this.embedBatch(batch, options.signal));
  }

  private async embedBatch(texts: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const timeoutMs = this.connection.timeoutMs;
    // OpenAI rejects empty strings in `input`; a space embeds to the "nothing" vector instead.
    const input = texts.map((t) => (t === "" ? " " : t));
    const response = await withRetry(
      async (attemptSignal) => {
        const { client, module } = await this.connection.client();
        try {
          return await client.embeddings.create(
            {
              model: this.modelId,
              input,
              // Floats, not the client's default base64: not every compatible server does base64.
              encoding_format: "float",
              ...(this.requestDimensions ? { dimensions: this.dimensions } : {}),
            },
            { signal: attemptSignal },
          );
        } catch (error) {
          throw mapOpenAIError(error, module, {
            preset: this.connection.preset,
            provider: this.provider,
            modelId: this.modelId,
            baseURL: this.connection.baseURL(),
            timeoutMs,
          });
        }
      },
      { maxRetries: this.connection.maxRetries, timeoutMs, signal, provider: this.provider },
    );
    const data = [...(response.data ?? [])].sort((a, b) => a.index - b.index);
    if (data.length !== texts.length) {
      throw new ProviderError({
        message: `${this.provider}:${this.modelId} returned ${data.length} embeddings for ${texts.length} texts`,
        provider: this.provider,
      });
    }
    return data.map((d, i) => {
      if (d.index !== i || !Array.isArray(d.embedding) || d.embedding.length !== this.dimensions) {
        throw new ProviderError({
          message: `${this.provider}:${this.modelId} returned a bad embedding at index ${i} (length ${Array.isArray(d.embedding) ? d.embedding.length : "none"}, expected ${this.dimensions})`,
          hint: "check the model's output size against `dimensions`",
          provider: this.provider,
        });
      }
      return Float32Array.from(d.embedding);
    });
  }
}
