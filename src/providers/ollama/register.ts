/**
 * Registers the "ollama" llm and embedder backends (MemOS names: `api_base` is the server,
 * `enable_thinking` is Ollama's `think`). Nothing is contacted until the first request.
 *
 * - llm: `model_name_or_path`, `temperature`, `max_tokens`, `top_p`, `top_k`,
 *   `remove_think_prefix`, `enable_thinking`, `context_size` (Ollama's `num_ctx`), `keep_alive`,
 *   `api_base` (or `host`), `headers`, `timeout_ms`, `max_retries`.
 * - embedder: `model_name_or_path`, `embedding_dims` (required unless the model is known:
 *   nomic-embed-text, mxbai-embed-large, all-minilm, bge-m3, ...), `api_base`, `keep_alive`,
 *   `max_batch`, `headers`, `timeout_ms`, `max_retries`.
 *
 * @example
 * const llm = await createFromConfig<LanguageModel>("llm", {
 *   backend: "ollama", config: { model_name_or_path: "qwen3:0.6b", temperature: 0, remove_think_prefix: true },
 * });
 *
 * @module
 */
import { z } from "zod";
import { registerBackend } from "../../core/backend-registry.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import { backendConfig, remoteChatFields, remoteEmbedderFields } from "../shared/backend-config.js";
import { createOllama } from "./ollama-provider.js";

const server = {
  // Ollama's OLLAMA_HOST may omit the scheme ("127.0.0.1:11434"), so not z.url().
  api_base: z.string().min(1).optional(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
};

/** Config of llm backend "ollama". */
export const OllamaLLMConfig = backendConfig({
  ...remoteChatFields,
  ...server,
  top_k: z.number().int().positive().optional(),
  enable_thinking: z.boolean().optional(),
  context_size: z.number().int().positive().optional(),
});

/** Config of embedder backend "ollama". */
export const OllamaEmbedderConfig = backendConfig({ ...remoteEmbedderFields, ...server });

registerBackend(
  "llm",
  "ollama",
  (c): LanguageModel =>
    createOllama({
      host: c.api_base,
      headers: c.headers,
      timeoutMs: c.timeout_ms,
      maxRetries: c.max_retries,
    })(c.model_name_or_path, {
      temperature: c.temperature,
      maxTokens: c.max_tokens,
      topP: c.top_p,
      topK: c.top_k,
      removeThinkPrefix: c.remove_think_prefix,
      think: c.enable_thinking,
      numCtx: c.context_size,
      keepAlive: c.keep_alive,
    }),
  OllamaLLMConfig,
);
registerBackend(
  "embedder",
  "ollama",
  (c): Embedder =>
    createOllama({
      host: c.api_base,
      headers: c.headers,
      timeoutMs: c.timeout_ms,
      maxRetries: c.max_retries,
    }).embedding(c.model_name_or_path, {
      dimensions: c.embedding_dims,
      maxBatch: c.max_batch,
      keepAlive: c.keep_alive,
    }),
  OllamaEmbedderConfig,
);
