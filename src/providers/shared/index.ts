/**
 * What every provider backend shares: `generateText` / `streamText` / `generateObject`, JSON and
 * think-block helpers, retry with backoff, lazy optional imports, `MEMOS_LLM`-style model specs,
 * the config-key alias table and the config-schema builder.
 *
 * @module
 */
export { type BackendConfigOptions, backendConfig, definedOnly, modelName } from "./backend-config.js";
export {
  CONFIG_KEY_ALIASES,
  type ConfigKeyProblem,
  INERT_CONFIG_KEYS,
  normalizeConfigKeys,
} from "./config-aliases.js";
export { checkEmbedInput } from "./embed-input.js";
export {
  embedderConfigFromEnv,
  embedderFromEnv,
  languageModelFromEnv,
  llmConfigFromEnv,
} from "./from-env.js";
export { type GenerateObjectResult, generateObject } from "./generate-object.js";
export { generateText, streamText } from "./generate-text.js";
export { extractJson, withSchemaInstruction } from "./json-output.js";
export { importOptional, packageRoot } from "./lazy.js";
export { EMBEDDER_SPEC_PREFIXES, LLM_SPEC_PREFIXES, type ModelSpec, parseModelSpec } from "./model-spec.js";
export {
  attemptSignal,
  backoffDelay,
  isRetryableNetworkError,
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  networkErrorCode,
  parseRetryAfter,
  type RetryOptions,
  retryAfterOf,
  timeoutError,
  withRetry,
  withRetryAfter,
} from "./retry.js";
export { createThinkPrefixFilter, stripThinkPrefix } from "./think-prefix.js";
