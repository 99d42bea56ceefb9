/**
 * Language models: `generateText` / `streamText` / `generateObject` over any backend, and the
 * remote backends (OpenAI-compatible, Ollama, custom functions, a scripted test double).
 * Importing this module registers the "llm" backends (openai, azure, deepseek, qwen, dashscope,
 * vllm, lmstudio, huggingface, ollama); their client packages load on first use.
 *
 * @module
 */
import "./register.js";

export * from "./custom/index.js";
export {
  createThinkPrefixFilter,
  extractJson,
  type GenerateObjectResult,
  generateObject,
  generateText,
  streamText,
  stripThinkPrefix,
  withSchemaInstruction,
} from "./generate.js";
export { importOptional, packageRoot } from "./lazy.js";
export * from "./ollama/index.js";
export * from "./openai/index.js";
export { OllamaLLMConfig, OpenAICompatibleLLMConfig } from "./register.js";
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
export { EMBEDDER_SPEC_PREFIXES, LLM_SPEC_PREFIXES, type ModelSpec, parseModelSpec } from "./spec.js";
