import path from "node:path";
import type { LlamaEmbeddingContext, LlamaModel } from "node-llama-cpp";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { l2Normalize } from "../../core/math/vector.js";
import { checkEmbedInput } from "../shared/embed-input.js";
import {
  assertModelFile,
  isModelUri,
  type LlamaGpu,
  loadLlamaModel,
  PROVIDER,
  resolveModelUri,
  toProviderError,
} from "./llama-cpp-runtime.js";
import { SerialQueue } from "./serial-queue.js";

export interface LlamaCppEmbedderOptions {
  /** A local `.gguf` embedding model (e.g. nomic-embed-text, bge-m3), or an `hf:` URI. */
  modelPath: string;
  /** CPU threads; default node-llama-cpp's choice. Use 1 for tiny models. */
  threads?: number;
  /** `false` (default): CPU only. */
  gpu?: LlamaGpu;
  /**
   * Longest input in tokens; longer texts are truncated to it (embedding models have a fixed
   * window). Default 2048, or the model's training context if smaller.
   */
  contextSize?: number;
  /** Texts per `doEmbed` call. Default 32. */
  maxBatch?: number;
  /** For URIs: `false` refuses to download. */
  download?: boolean;
  /** Overrides the reported `modelId` (default: the file name). */
  modelId?: string;
}

const DEFAULT_CONTEXT = 2048;

/**
 * Sentence embeddings from a GGUF model through llama.cpp. Create it with
 * {@link createLlamaCppEmbedder}. Texts are embedded one at a time on one embedding context
 * (a queue keeps concurrent `doEmbed` calls from interleaving on it).
 */
export class LlamaCppEmbedder implements Embedder {
  readonly specificationVersion = "v1" as const;
  readonly provider = PROVIDER;
  readonly modelId: string;
  readonly dimensions: number;
  readonly maxBatch: number;
  private readonly queue = new SerialQueue();

  /** @internal Use {@link createLlamaCppEmbedder}. */
  constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaEmbeddingContext,
    private readonly maxTokens: number,
    options: { modelId: string; maxBatch: number },
  ) {
    this.modelId = options.modelId;
    this.dimensions = model.embeddingVectorSize;
    this.maxBatch = options.maxBatch;
  }

  async doEmbed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]> {
    checkEmbedInput(texts, this.maxBatch);
    const signal = options?.signal;
    return this.queue
      .run(async () => {
        const out: Float32Array[] = [];
        for (const text of texts) {
          signal?.throwIfAborted();
          // Too-long inputs would make llama.cpp fail; embedding models see a fixed window anyway.
          let tokens = this.model.tokenize(text);
          if (tokens.length > this.maxTokens) tokens = tokens.slice(0, this.maxTokens);
          const embedding = await this.context.getEmbeddingFor(tokens);
          // An empty text has no tokens and gets an empty vector: keep the dimension (all zeros).
          const vector = embedding.vector.length === this.dimensions ? l2Normalize(embedding.vector) : null;
          out.push(vector ?? new Float32Array(this.dimensions));
        }
        return out;
      }, signal)
      .catch((error: unknown) => {
        throw toProviderError(error, `${this.modelId} failed to embed`);
      });
  }

  /** Release the embedding context; the weights stay cached. */
  async dispose(): Promise<void> {
    await this.context.dispose();
  }
}

/**
 * Create a llama.cpp embedder. Async because `dimensions` comes from the model: the model is
 * loaded here (shared with any chat model or reranker on the same file).
 *
 * @example
 * const embedder = await createLlamaCppEmbedder({ modelPath: "./models/nomic-embed-text-v1.5.Q8_0.gguf" });
 * const [vector] = await embedder.doEmbed(["I like tea"]); // Float32Array, unit length
 */
export async function createLlamaCppEmbedder(options: LlamaCppEmbedderOptions): Promise<LlamaCppEmbedder> {
  checkModelPath(options.modelPath);
  const maxBatch = options.maxBatch ?? 32;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new InvalidInputError({ message: `maxBatch must be a positive integer, got ${maxBatch}` });
  }
  try {
    const { model, modelId } = await loadModelFor(options);
    const contextSize = Math.min(options.contextSize ?? DEFAULT_CONTEXT, model.trainContextSize);
    const context = await model.createEmbeddingContext({
      contextSize,
      // One sequence holds the whole input, so a batch must fit the longest allowed text.
      batchSize: contextSize,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    });
    // Room for the BOS/EOS tokens llama.cpp adds: the input must be shorter than the context.
    return new LlamaCppEmbedder(model, context, contextSize - 4, { modelId, maxBatch });
  } catch (error) {
    throw toProviderError(error, `could not create an embedding context for ${options.modelPath}`);
  }
}

/** A local model path must exist before anything loads; `hf:`/URL specs are resolved later. */
export function checkModelPath(modelPath: string): void {
  if (!isModelUri(modelPath)) assertModelFile(path.resolve(modelPath));
}

/**
 * Resolve a model path or URI, load the model (shared per file and GPU setting) and name it:
 * the caller's `modelId`, else the URI, else the file name without `.gguf`.
 */
export async function loadModelFor(options: {
  modelPath: string;
  modelId?: string;
  gpu?: Parameters<typeof loadLlamaModel>[1];
  download?: boolean;
}): Promise<{ model: Awaited<ReturnType<typeof loadLlamaModel>>; file: string; modelId: string }> {
  const uri = isModelUri(options.modelPath);
  const file = uri
    ? await resolveModelUri(
        options.modelPath,
        options.download !== undefined ? { download: options.download } : {},
      )
    : options.modelPath;
  const model = await loadLlamaModel(file, options.gpu ?? false);
  const modelId = options.modelId ?? (uri ? options.modelPath : path.basename(options.modelPath, ".gguf"));
  return { model, file, modelId };
}
