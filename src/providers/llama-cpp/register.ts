/**
 * Registers the in-process llama.cpp backends, so configs can name them:
 *
 * - llm "llama-cpp" → {@link createLlamaCpp}
 * - embedder "llama-cpp" → {@link createLlamaCppEmbedder}
 * - reranker "llama-cpp" → {@link createLlamaCppReranker}
 *
 * Keys (canonical; aliases such as `modelPath`, `n_ctx`, `n_threads`, camelCase go through
 * `../shared/config-aliases.ts`): `model_name_or_path` (a .gguf path or an hf: URI), `gpu`,
 * `threads`, `context_size`, `download`, `model_id`; the llm also `temperature`, `max_tokens`,
 * `top_p`, `top_k`, `seed`, `remove_think_prefix`, `loras`, `models_dir`; the embedder
 * `max_batch`. `node-llama-cpp` is only imported when a backend is created.
 *
 * @example
 * const llm = await createFromConfig<LanguageModel>("llm", {
 *   backend: "llama-cpp",
 *   config: { model_name_or_path: "./models/qwen2.5-1.5b-instruct-q4_k_m.gguf", temperature: 0, max_tokens: 1024 },
 * });
 *
 * @module
 */
import { z } from "zod";
import { registerBackend } from "../../core/backend-registry.js";
import { backendConfig, definedOnly } from "../shared/backend-config.js";
import { createLlamaCppEmbedder, type LlamaCppEmbedderOptions } from "./llama-cpp-embedder.js";
import { createLlamaCpp, type LlamaCppOptions } from "./llama-cpp-language-model.js";
import { createLlamaCppReranker, type LlamaCppRerankerOptions } from "./llama-cpp-reranker.js";
import type { LlamaGpu } from "./llama-cpp-runtime.js";

const positiveInt = z.number().int().positive();
/** `true` means "use a GPU if there is one". */
const Gpu = z
  .union([z.boolean(), z.enum(["auto", "cuda", "vulkan", "metal"])])
  .transform((g): LlamaGpu => (g === true ? "auto" : g));

const runtimeFields = {
  model_name_or_path: z.string({ error: "is required: a .gguf path or an hf: URI" }).min(1),
  gpu: Gpu.optional(),
  threads: positiveInt.optional(),
  context_size: positiveInt.optional(),
  download: z.boolean().optional(),
  model_id: z.string().min(1).optional(),
};
const runtimeOptions = (c: z.output<z.ZodObject<typeof runtimeFields>>) => ({
  modelPath: c.model_name_or_path,
  gpu: c.gpu,
  threads: c.threads,
  contextSize: c.context_size,
  download: c.download,
  modelId: c.model_id,
});

/** Config of llm backend "llama-cpp"; outputs {@link LlamaCppOptions}. */
export const LlamaCppConfig = backendConfig({
  ...runtimeFields,
  temperature: z.number().min(0).optional(),
  max_tokens: positiveInt.optional(),
  top_p: z.number().gt(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  seed: z.number().int().optional(),
  remove_think_prefix: z.boolean().optional(),
  loras: z.array(z.object({ path: z.string().min(1), scale: z.number().optional() })).optional(),
  models_dir: z.string().min(1).optional(),
}).transform(
  (c): LlamaCppOptions =>
    definedOnly({
      ...runtimeOptions(c),
      temperature: c.temperature,
      maxTokens: c.max_tokens,
      topP: c.top_p,
      topK: c.top_k,
      seed: c.seed,
      removeThinkPrefix: c.remove_think_prefix,
      loras: c.loras,
      modelsDir: c.models_dir,
    }),
);

/** Config of embedder backend "llama-cpp"; outputs {@link LlamaCppEmbedderOptions}. */
export const LlamaCppEmbedderConfig = backendConfig({
  ...runtimeFields,
  max_batch: positiveInt.optional(),
}).transform((c): LlamaCppEmbedderOptions => definedOnly({ ...runtimeOptions(c), maxBatch: c.max_batch }));

/** Config of reranker backend "llama-cpp"; outputs {@link LlamaCppRerankerOptions}. */
export const LlamaCppRerankerConfig = backendConfig(runtimeFields).transform(
  (c): LlamaCppRerankerOptions => definedOnly(runtimeOptions(c)),
);

registerBackend("llm", "llama-cpp", (c) => createLlamaCpp(c), LlamaCppConfig);
registerBackend("embedder", "llama-cpp", (c) => createLlamaCppEmbedder(c), LlamaCppEmbedderConfig);
registerBackend("reranker", "llama-cpp", (c) => createLlamaCppReranker(c), LlamaCppRerankerConfig);
