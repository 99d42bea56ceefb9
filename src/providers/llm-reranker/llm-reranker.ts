import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { GenerateOptions, LanguageModel } from "../../core/interfaces/language-model.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import { generateObject } from "../shared/generate-object.js";
import { MIN_SCORE, RerankScores, rerankPrompt } from "./llm-rerank-prompt.js";

export interface LlmRerankerOptions {
  /** The judge. Any LanguageModel; grammar / JSON-schema backends answer most reliably. */
  model: LanguageModel;
  /** Documents per prompt. Default 10: more saves calls but small models lose track. */
  batchSize?: number;
  /** Longer documents are cut to this many characters in the prompt. Default 1000. */
  maxDocChars?: number;
  /** Answer length limit per batch. Default 64 + 24 per document. */
  maxTokens?: number;
  /** Extra generation options (temperature, timeoutMs, …). */
  generate?: Omit<GenerateOptions, "responseFormat" | "signal" | "maxTokens">;
}

/**
 * Listwise LLM reranking: the model sees the query and a numbered batch of documents and returns
 * `{scores: [{index, score}]}` (0..10) through `generateObject`. A document the model leaves out
 * gets the minimum score; an answer that stays invalid after the repair turn raises the
 * `LLMOutputError` (with the raw text) instead of silently scoring everything 0.
 * Create it with {@link createLlmReranker}.
 */
export class LlmReranker implements Reranker {
  readonly specificationVersion = "v1" as const;
  readonly provider = "llm";
  readonly modelId: string;
  private readonly model: LanguageModel;
  private readonly batchSize: number;
  private readonly maxDocChars: number;
  private readonly options: LlmRerankerOptions;

  /** @internal Use {@link createLlmReranker}. */
  constructor(options: LlmRerankerOptions & { batchSize: number; maxDocChars: number }) {
    this.model = options.model;
    this.batchSize = options.batchSize;
    this.maxDocChars = options.maxDocChars;
    this.options = options;
    this.modelId = `llm:${options.model.provider}:${options.model.modelId}`;
  }

  async doRerank(query: string, documents: string[], options?: { signal?: AbortSignal }): Promise<number[]> {
    const scores: number[] = [];
    // Batches run one after another: local backends serialise anyway, and remote ones rate-limit.
    for (let start = 0; start < documents.length; start += this.batchSize) {
      const batch = documents.slice(start, start + this.batchSize);
      scores.push(...(await this.scoreBatch(query, batch, options?.signal)));
    }
    return scores;
  }

  private async scoreBatch(query: string, batch: string[], signal?: AbortSignal): Promise<number[]> {
    const { object } = await generateObject(
      this.model,
      rerankPrompt(query, batch, this.maxDocChars),
      RerankScores,
      {
        ...this.options.generate,
        maxTokens: this.options.maxTokens ?? 64 + 24 * batch.length,
        schemaName: "rerank_scores",
        ...(signal ? { signal } : {}),
      },
    );
    const out = batch.map(() => MIN_SCORE);
    const seen = new Set<number>();
    for (const { index, score } of object.scores) {
      const i = index - 1;
      // First score per document wins; unknown numbers are ignored.
      if (i >= 0 && i < batch.length && !seen.has(i)) {
        seen.add(i);
        out[i] = score;
      }
    }
    return out;
  }
}

/**
 * Create an LLM reranker. Slower and costlier than cosine or BM25, but it reads the documents.
 *
 * @example
 * const reranker = createLlmReranker({ model: createLlamaCpp({ modelPath: "./qwen2.5-1.5b-instruct-q4_k_m.gguf" }) });
 * const scores = await reranker.doRerank("where does Ana live?", ["Ana moved to Lisbon", "Ana likes tea"]);
 */
export function createLlmReranker(options: LlmRerankerOptions): LlmReranker {
  if (!options?.model)
    throw new InvalidInputError({ message: "createLlmReranker needs a model", hint: "pass { model }" });
  const batchSize = options.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidInputError({ message: `batchSize must be a positive integer, got ${batchSize}` });
  }
  return new LlmReranker({ ...options, batchSize, maxDocChars: options.maxDocChars ?? 1000 });
}
