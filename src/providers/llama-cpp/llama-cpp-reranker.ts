import path from "node:path";
import type { LlamaRankingContext } from "node-llama-cpp";
import { ConfigError } from "../../core/errors/config-error.js";
import { errorMessage } from "../../core/errors/error-message.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import { checkModelPath, loadModelFor } from "./llama-cpp-embedder.js";
import { type LlamaGpu, PROVIDER, toProviderError } from "./llama-cpp-runtime.js";
import { SerialQueue } from "./serial-queue.js";

export interface LlamaCppRerankerOptions {
  /** A GGUF cross-encoder with a ranking head (e.g. bge-reranker-v2-m3, Qwen3-Reranker), or an `hf:` URI. */
  modelPath: string;
  threads?: number;
  gpu?: LlamaGpu;
  /** Tokens of query + document seen together. Default 2048, or the model's training context if smaller. */
  contextSize?: number;
  download?: boolean;
  modelId?: string;
}

/**
 * A llama.cpp cross-encoder reranker: each (query, document) pair is scored by the model's
 * ranking head (`LlamaRankingContext`), giving a relevance probability in [0, 1].
 * Create it with {@link createLlamaCppReranker}.
 */
export class LlamaCppReranker implements Reranker {
  readonly specificationVersion = "v1" as const;
  readonly provider = PROVIDER;
  readonly modelId: string;
  private readonly queue = new SerialQueue();

  /** @internal Use {@link createLlamaCppReranker}. */
  constructor(
    private readonly context: LlamaRankingContext,
    modelId: string,
  ) {
    this.modelId = modelId;
  }

  doRerank(query: string, documents: string[], options?: { signal?: AbortSignal }): Promise<number[]> {
    if (documents.length === 0) return Promise.resolve([]);
    return this.queue
      .run(() => this.context.rankAll(query, documents), options?.signal)
      .catch((error: unknown) => {
        throw toProviderError(error, `${this.modelId} failed to rerank`);
      });
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
  }
}

/**
 * Create a llama.cpp reranker. Only models with a ranking (classification) head work: a plain
 * chat or embedding GGUF — such as the random test model from `scripts/make-test-gguf.ts` — is
 * refused with a ConfigError.
 *
 * @example
 * const reranker = await createLlamaCppReranker({ modelPath: "./models/bge-reranker-v2-m3-Q8_0.gguf" });
 * const scores = await reranker.doRerank("where does Ana live?", ["Ana lives in Lisbon", "I like tea"]);
 */
export async function createLlamaCppReranker(options: LlamaCppRerankerOptions): Promise<LlamaCppReranker> {
  checkModelPath(options.modelPath);
  try {
    const { model, file, modelId } = await loadModelFor(options);
    if (!model.fileInsights.supportsRanking) {
      throw new ConfigError({
        message: `${path.basename(file)} has no ranking head, so it cannot rerank`,
        hint: 'use a reranker GGUF (e.g. bge-reranker-v2-m3), or the "cosine" / "bm25" / "llm" rerankers',
      });
    }
    const contextSize = Math.min(options.contextSize ?? 2048, model.trainContextSize);
    let context: LlamaRankingContext;
    try {
      context = await model.createRankingContext({
        contextSize,
        batchSize: contextSize,
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
      });
    } catch (error) {
      throw new ConfigError({
        message: `${path.basename(file)} cannot be used for ranking: ${errorMessage(error)}`,
        hint: 'use a reranker GGUF (e.g. bge-reranker-v2-m3), or the "cosine" / "bm25" / "llm" rerankers',
        cause: error,
      });
    }
    return new LlamaCppReranker(context, modelId);
  } catch (error) {
    throw toProviderError(error, `could not create a ranking context for ${options.modelPath}`);
  }
}
