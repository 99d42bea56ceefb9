/**
 * The one table of config-key spellings. MemOS configs, our camelCase options and the backends'
 * own names (`n_ctx`, `num_ctx`, `host`, ...) all reach the registry; each alias is rewritten to
 * one canonical key — MemOS's snake_case name where MemOS has one — before any backend's zod
 * schema sees the config, so a schema declares each setting once.
 *
 * @module
 */

/** alias → canonical key. Kind-independent: an alias means the same thing for every backend. */
export const CONFIG_KEY_ALIASES: Readonly<Record<string, string>> = {
  // the model
  model: "model_name_or_path",
  model_path: "model_name_or_path",
  modelPath: "model_name_or_path",
  modelId: "model_id",
  modelsDir: "models_dir",
  // where the server is and how to reach it
  base_url: "api_base",
  baseURL: "api_base",
  host: "api_base", // Ollama's name for its server
  reranker_url: "url", // MemOS http_bge
  apiKey: "api_key",
  apiVersion: "api_version",
  default_headers: "headers", // MemOS OpenAI configs
  headers_extra: "headers", // MemOS http_bge
  timeoutMs: "timeout_ms",
  maxRetries: "max_retries",
  extraBody: "extra_body",
  provider: "preset", // MemOS universal_api embedder
  keepAlive: "keep_alive",
  // sampling
  maxTokens: "max_tokens",
  topP: "top_p",
  topK: "top_k",
  removeThinkPrefix: "remove_think_prefix",
  enableThinking: "enable_thinking",
  structuredOutput: "structured_output",
  // local runtimes
  n_ctx: "context_size", // llama.cpp
  num_ctx: "context_size", // Ollama
  contextSize: "context_size",
  n_threads: "threads",
  // batching and vectors
  maxBatch: "max_batch",
  batchSize: "batch_size",
  maxDocChars: "max_doc_chars",
  dimensions: "embedding_dims",
  // GloVe
  cacheDir: "cache_dir",
  sifA: "sif_a",
  removeCommonComponent: "remove_common_component",
};

/**
 * MemOS keys that change nothing here, accepted and dropped (with why). Any other key a backend
 * does not declare is a ConfigError: a setting is never silently ignored.
 */
export const INERT_CONFIG_KEYS: Readonly<Record<string, string>> = {
  model_schema: "MemOS's pydantic class path, bookkeeping only",
  add_generation_prompt: "chat backends here always open the assistant turn",
};

/** What {@link normalizeConfigKeys} found wrong, for the caller to report. */
export interface ConfigKeyProblem {
  key: string;
  message: string;
}

/**
 * Rewrite aliases to canonical keys and drop `null` values (MemOS writes unset fields as null)
 * and inert keys. Two spellings of one setting with different values is a problem, never a
 * silent pick.
 *
 * @example
 * normalizeConfigKeys({ n_ctx: 2048, modelPath: "m.gguf" });
 * // { config: { context_size: 2048, model_name_or_path: "m.gguf" }, problems: [] }
 */
export function normalizeConfigKeys(
  input: Record<string, unknown>,
  inert: Readonly<Record<string, string>> = {},
): { config: Record<string, unknown>; problems: ConfigKeyProblem[] } {
  const config: Record<string, unknown> = {};
  const spelledAs: Record<string, string> = {};
  const problems: ConfigKeyProblem[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    if (key in INERT_CONFIG_KEYS || key in inert) continue;
    const canonical = CONFIG_KEY_ALIASES[key] ?? key;
    const earlier = spelledAs[canonical];
    if (earlier !== undefined && JSON.stringify(config[canonical]) !== JSON.stringify(value)) {
      problems.push({
        key: canonical,
        message: `"${earlier}" and "${key}" both set ${canonical}, to different values; give it once`,
      });
      continue;
    }
    config[canonical] = value;
    spelledAs[canonical] = key;
  }
  return { config, problems };
}
