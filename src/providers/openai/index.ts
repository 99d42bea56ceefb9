/**
 * OpenAI-compatible backend: OpenAI, Azure OpenAI, DeepSeek, DashScope/Qwen, vLLM, LM Studio,
 * the Hugging Face router: chat models and embedders. The `openai` package is loaded on first use.
 * Importing this module registers the "llm" backends openai, azure, deepseek, qwen, dashscope,
 * vllm, lmstudio, huggingface and the "embedder" backends openai and universal_api.
 *
 * @module
 */
import "./register.js";

export { OpenAIChatLanguageModel, type OpenAIChatSettings } from "./openai-chat-language-model.js";
export {
  DEFAULT_AZURE_API_VERSION,
  DEFAULT_TIMEOUT_MS,
  type OpenAIProviderOptions,
} from "./openai-client.js";
export {
  OPENAI_MAX_BATCH,
  OpenAIEmbedder,
  type OpenAIEmbeddingSettings,
} from "./openai-embedder.js";
export { OPENAI_EMBEDDING_DIMENSIONS, supportsShortening } from "./openai-embedding-dimensions.js";
export {
  OPENAI_PRESETS,
  type OpenAIPreset,
  type OpenAIPresetName,
  resolvePresetName,
} from "./openai-presets.js";
export { createOpenAI, type OpenAIProvider, openai } from "./openai-provider.js";
export { isStrictCompatible, responseFormatFor } from "./openai-response-format.js";
export { OpenAICompatibleLLMConfig, OpenAIEmbedderConfig } from "./register.js";
