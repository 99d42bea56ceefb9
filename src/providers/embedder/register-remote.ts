/**
 * Side-effect module: registers the remote embedder backends, so MemOS-style configs resolve
 * to an {@link Embedder}. Nothing is imported or contacted until the first request.
 *
 * - "openai" — OpenAI-compatible `/embeddings`: `{model_name_or_path, api_key?, api_base? |
 *   base_url?, embedding_dims?, preset?}` (preset: "openai" default, "azure", "qwen", "vllm", ...).
 * - "ollama" — `{model_name_or_path, api_base? | host?, embedding_dims?}`.
 * - "universal_api" — MemOS's name for the same: `{provider: "openai" | "azure" | ..., api_key,
 *   base_url, model_name_or_path, embedding_dims}`.
 *
 * `embedding_dims` is required unless the model is known (text-embedding-3-small/-large,
 * ada-002; nomic-embed-text, mxbai-embed-large, all-minilm, bge-m3, ...).
 *
 * @example
 * const embedder = await createFromConfig<Embedder>("embedder", {
 *   backend: "ollama", config: { model_name_or_path: "nomic-embed-text:latest" },
 * });
 *
 * @module
 */
import { z } from "zod";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { registerBackend } from "../../core/backend-registry.js";
import { createOllama } from "../llm/ollama/provider.js";
import { OPENAI_PRESETS, type OpenAIPresetName, resolvePresetName } from "../llm/openai/presets.js";
import { createOpenAI } from "../llm/openai/provider.js";

const base = {
  model_name_or_path: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  embedding_dims: z.number().int().positive().nullish(),
  dimensions: z.number().int().positive().optional(),
  max_batch: z.number().int().positive().optional(),
  timeout_ms: z.number().int().positive().optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
  headers: z.record(z.string(), z.string()).optional(),
};
const modelIssue = { message: "model_name_or_path is required", path: ["model_name_or_path"] };
const hasModel = (c: { model_name_or_path?: string; model?: string }) =>
  Boolean(c.model_name_or_path ?? c.model);

const preset = z
  .string()
  .refine((p) => resolvePresetName(p) !== undefined, {
    message: `preset must be one of ${Object.keys(OPENAI_PRESETS).join(", ")}`,
  })
  .transform((p) => resolvePresetName(p) as OpenAIPresetName);

/** Config of the "openai" (and "universal_api") embedder backend. */
export const OpenAIEmbedderConfig = z
  .object({
    ...base,
    api_key: z.string().optional(),
    api_base: z.url().optional(),
    base_url: z.url().optional(),
    api_version: z.string().optional(),
    preset: preset.optional(),
    /** MemOS universal_api's name for the preset. */
    provider: preset.optional(),
  })
  .refine(hasModel, modelIssue);

/** Config of the "ollama" embedder backend. */
export const OllamaEmbedderConfig = z
  .object({
    ...base,
    api_base: z.url().optional(),
    host: z.string().optional(),
    keep_alive: z.union([z.string(), z.number()]).optional(),
  })
  .refine(hasModel, modelIssue);

function openAIEmbedder(c: z.output<typeof OpenAIEmbedderConfig>): Embedder {
  return createOpenAI({
    preset: c.preset ?? c.provider ?? "openai",
    apiKey: c.api_key || undefined,
    baseURL: c.api_base ?? c.base_url,
    apiVersion: c.api_version,
    headers: c.headers,
    timeoutMs: c.timeout_ms,
    maxRetries: c.max_retries,
  }).embedding((c.model_name_or_path ?? c.model) as string, {
    dimensions: c.dimensions ?? c.embedding_dims ?? undefined,
    maxBatch: c.max_batch,
  });
}

registerBackend("embedder", "openai", openAIEmbedder, OpenAIEmbedderConfig);
registerBackend("embedder", "universal_api", openAIEmbedder, OpenAIEmbedderConfig);
registerBackend(
  "embedder",
  "ollama",
  (c): Embedder =>
    createOllama({
      host: c.host ?? c.api_base,
      headers: c.headers,
      timeoutMs: c.timeout_ms,
      maxRetries: c.max_retries,
    }).embedding((c.model_name_or_path ?? c.model) as string, {
      dimensions: c.dimensions ?? c.embedding_dims ?? undefined,
      maxBatch: c.max_batch,
      keepAlive: c.keep_alive,
    }),
  OllamaEmbedderConfig,
);
