/**
 * OpenAI-compatible backend: OpenAI, Azure OpenAI, DeepSeek, DashScope/Qwen, vLLM, LM Studio,
 * the Hugging Face router. The `openai` package is loaded on first use.
 *
 * @module
 */

export {
  OPENAI_MAX_BATCH,
  OpenAIEmbedder,
  type OpenAIEmbeddingSettings,
} from "../../embedder/openai/openai-embedder.js";
export { OpenAIChatLanguageModel, type OpenAIChatSettings } from "./chat-model.js";
export { DEFAULT_AZURE_API_VERSION, DEFAULT_TIMEOUT_MS, type OpenAIProviderOptions } from "./client.js";
export { OPENAI_PRESETS, type OpenAIPreset, type OpenAIPresetName, resolvePresetName } from "./presets.js";
export { createOpenAI, type OpenAIProvider, openai } from "./provider.js";
export { isStrictCompatible, responseFormatFor } from "./response-format.js";
