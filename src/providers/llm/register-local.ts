/**
 * Side-effect module: registers the in-process model backends, so configs can name them.
 *
 * - llm "llama-cpp" → {@link createLlamaCpp}
 * - embedder "llama-cpp" → {@link createLlamaCppEmbedder}
 * - embedder "transformers" → {@link createTransformersEmbedder}
 * - reranker "llama-cpp" → {@link createLlamaCppReranker}
 *
 * Configs take MemOS-style snake_case fields (`model_name_or_path`, `temperature`, `max_tokens`,
 * `top_p`, `top_k`, `remove_think_prefix`, …) or our camelCase ones; unknown keys (e.g. MemOS's
 * `add_generation_prompt`) are ignored. The optional packages are only imported when a backend
 * is created, so importing this module costs nothing.
 *
 * @example
 * import "memos-ts/providers/llm/register-local";
 * const llm = await createFromConfig<LanguageModel>("llm", {
 *   backend: "llama-cpp",
 *   config: { model_name_or_path: "./models/qwen2.5-1.5b-instruct-q4_k_m.gguf", temperature: 0, max_tokens: 1024 },
 * });
 *
 * @module
 */
import { z } from "zod";
import { registerBackend } from "../../core/backend-registry.js";
import {
  createLlamaCppEmbedder,
  type LlamaCppEmbedderOptions,
} from "../embedder/llama-cpp/llama-cpp-embedder.js";
import {
  createLlamaCppReranker,
  type LlamaCppRerankerOptions,
} from "../embedder/llama-cpp/llama-cpp-reranker.js";
import {
  createTransformersEmbedder,
  type TransformersEmbedderOptions,
} from "../embedder/transformers/transformers-embedder.js";
import { createLlamaCpp, type LlamaCppOptions } from "./llama-cpp/llama-cpp-model.js";
import type { LlamaGpu } from "./llama-cpp/runtime.js";

const positiveInt = z.number().int().positive();
/** `true` means "use a GPU if there is one". */
const Gpu = z
  .union([z.boolean(), z.enum(["auto", "cuda", "vulkan", "metal"])])
  .transform((g): LlamaGpu => (g === true ? "auto" : g));

/** The model location under any of its spellings; exactly one is needed. */
const ModelLocation = {
  model_name_or_path: z.string().min(1).optional(),
  model_path: z.string().min(1).optional(),
  modelPath: z.string().min(1).optional(),
};
function modelPathOf(c: {
  model_name_or_path?: string;
  model_path?: string;
  modelPath?: string;
}): string | undefined {
  return c.modelPath ?? c.model_path ?? c.model_name_or_path;
}
const needsModel = { message: "model_name_or_path (or modelPath) is required: a .gguf path or an hf: URI" };

/** Drops `undefined` values so they do not override the factories' defaults. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Config of llm backend "llama-cpp"; outputs {@link LlamaCppOptions}. */
export const LlamaCppConfig = z
  .object({
    ...ModelLocation,
    temperature: z.number().min(0).optional(),
    max_tokens: positiveInt.optional(),
    maxTokens: positiveInt.optional(),
    top_p: z.number().gt(0).max(1).optional(),
    topP: z.number().gt(0).max(1).optional(),
    top_k: z.number().int().min(0).optional(),
    topK: z.number().int().min(0).optional(),
    seed: z.number().int().optional(),
    remove_think_prefix: z.boolean().optional(),
    removeThinkPrefix: z.boolean().optional(),
    gpu: Gpu.optional(),
    threads: positiveInt.optional(),
    n_threads: positiveInt.optional(),
    context_size: positiveInt.optional(),
    contextSize: positiveInt.optional(),
    n_ctx: positiveInt.optional(),
    loras: z.array(z.object({ path: z.string().min(1), scale: z.number().optional() })).optional(),
    download: z.boolean().optional(),
    models_dir: z.string().min(1).optional(),
    modelsDir: z.string().min(1).optional(),
    model_id: z.string().min(1).optional(),
    modelId: z.string().min(1).optional(),
  })
  .refine((c) => modelPathOf(c) !== undefined, needsModel)
  .transform(
    (c): LlamaCppOptions =>
      defined({
        modelPath: modelPathOf(c) as string,
        temperature: c.temperature,
        maxTokens: c.maxTokens ?? c.max_tokens,
        topP: c.topP ?? c.top_p,
        topK: c.topK ?? c.top_k,
        seed: c.seed,
        removeThinkPrefix: c.removeThinkPrefix ?? c.remove_think_prefix,
        gpu: c.gpu,
        threads: c.threads ?? c.n_threads,
        contextSize: c.contextSize ?? c.context_size ?? c.n_ctx,
        loras: c.loras,
        download: c.download,
        modelsDir: c.modelsDir ?? c.models_dir,
        modelId: c.modelId ?? c.model_id,
      }),
  );

/** Config of embedder backend "llama-cpp"; outputs {@link LlamaCppEmbedderOptions}. */
export const LlamaCppEmbedderConfig = z
  .object({
    ...ModelLocation,
    gpu: Gpu.optional(),
    threads: positiveInt.optional(),
    n_threads: positiveInt.optional(),
    context_size: positiveInt.optional(),
    contextSize: positiveInt.optional(),
    max_batch: positiveInt.optional(),
    maxBatch: positiveInt.optional(),
    download: z.boolean().optional(),
    model_id: z.string().min(1).optional(),
    modelId: z.string().min(1).optional(),
  })
  .refine((c) => modelPathOf(c) !== undefined, needsModel)
  .transform(
    (c): LlamaCppEmbedderOptions =>
      defined({
        modelPath: modelPathOf(c) as string,
        gpu: c.gpu,
        threads: c.threads ?? c.n_threads,
        contextSize: c.contextSize ?? c.context_size,
        maxBatch: c.maxBatch ?? c.max_batch,
        download: c.download,
        modelId: c.modelId ?? c.model_id,
      }),
  );

/** Config of reranker backend "llama-cpp"; outputs {@link LlamaCppRerankerOptions}. */
export const LlamaCppRerankerConfig = z
  .object({
    ...ModelLocation,
    gpu: Gpu.optional(),
    threads: positiveInt.optional(),
    context_size: positiveInt.optional(),
    contextSize: positiveInt.optional(),
    download: z.boolean().optional(),
    model_id: z.string().min(1).optional(),
  })
  .refine((c) => modelPathOf(c) !== undefined, needsModel)
  .transform(
    (c): LlamaCppRerankerOptions =>
      defined({
        modelPath: modelPathOf(c) as string,
        gpu: c.gpu,
        threads: c.threads,
        contextSize: c.contextSize ?? c.context_size,
        download: c.download,
        modelId: c.model_id,
      }),
  );

/** Config of embedder backend "transformers"; outputs {@link TransformersEmbedderOptions}. */
export const TransformersEmbedderConfig = z
  .object({
    ...ModelLocation,
    pooling: z.enum(["mean", "cls"]).optional(),
    normalize: z.boolean().optional(),
    dimensions: positiveInt.optional(),
    embedding_dims: positiveInt.optional(),
    dtype: z.enum(["auto", "fp32", "fp16", "q8", "int8", "uint8", "q4", "bnb4", "q4f16"]).optional(),
    max_batch: positiveInt.optional(),
    maxBatch: positiveInt.optional(),
    model_id: z.string().min(1).optional(),
  })
  .refine((c) => modelPathOf(c) !== undefined, {
    message: "model_name_or_path (or modelPath) is required: a local model folder",
  })
  .transform(
    (c): TransformersEmbedderOptions =>
      defined({
        modelPath: modelPathOf(c) as string,
        pooling: c.pooling,
        normalize: c.normalize,
        dimensions: c.dimensions ?? c.embedding_dims,
        dtype: c.dtype,
        maxBatch: c.maxBatch ?? c.max_batch,
        modelId: c.model_id,
      }),
  );

registerBackend("llm", "llama-cpp", (c) => createLlamaCpp(c), LlamaCppConfig);
registerBackend("embedder", "llama-cpp", (c) => createLlamaCppEmbedder(c), LlamaCppEmbedderConfig);
registerBackend("reranker", "llama-cpp", (c) => createLlamaCppReranker(c), LlamaCppRerankerConfig);
registerBackend("embedder", "transformers", (c) => createTransformersEmbedder(c), TransformersEmbedderConfig);
