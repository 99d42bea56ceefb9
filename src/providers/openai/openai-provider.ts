/**
 * `createOpenAI`: the provider for every OpenAI-compatible server, in the style of the Vercel AI
 * SDK's `@ai-sdk/openai`: a function from model id to model, plus `.embedding(...)`.
 *
 * @module
 */

import { OpenAIChatLanguageModel, type OpenAIChatSettings } from "./openai-chat-language-model.js";
import { createOpenAIConnection, type OpenAIProviderOptions } from "./openai-client.js";
import { OpenAIEmbedder, type OpenAIEmbeddingSettings } from "./openai-embedder.js";

/** Makes chat models and embedders of an OpenAI-compatible server; created by {@link createOpenAI}. */
export interface OpenAIProvider {
  /** A chat model; `settings` are per-model defaults (temperature, maxTokens, ...). */
  (modelId: string, settings?: OpenAIChatSettings): OpenAIChatLanguageModel;
  /** Same as calling the provider. */
  chat(modelId: string, settings?: OpenAIChatSettings): OpenAIChatLanguageModel;
  /** An embedder; `dimensions` is required for models other than OpenAI's own. */
  embedding(modelId: string, settings?: OpenAIEmbeddingSettings): OpenAIEmbedder;
}

/**
 * Make a provider for an OpenAI-compatible server. Nothing is imported, read from the
 * environment or sent until the first request; a missing key then raises an
 * AuthenticationError whose hint names the variable to set.
 *
 * @example
 * const openai = createOpenAI();                              // OPENAI_API_KEY, OPENAI_BASE_URL
 * const model = openai("gpt-4o-mini", { temperature: 0 });
 * const { text } = await generateText(model, [{ role: "user", content: "Hi" }]);
 * const embedder = openai.embedding("text-embedding-3-small"); // 1536 dimensions
 *
 * @example
 * const deepseek = createOpenAI({ preset: "deepseek" });      // DEEPSEEK_API_KEY
 * const vllm = createOpenAI({ preset: "vllm", baseURL: "http://gpu-box:8000/v1" });
 * const azure = createOpenAI({ preset: "azure", baseURL: "https://my-res.openai.azure.com", apiVersion: "2024-10-21" });
 * const model = azure("my-gpt4o-deployment");                  // AZURE_OPENAI_API_KEY
 */
export function createOpenAI(options: OpenAIProviderOptions = {}): OpenAIProvider {
  const connection = createOpenAIConnection(options);
  const chat = (modelId: string, settings: OpenAIChatSettings = {}) =>
    new OpenAIChatLanguageModel(modelId, settings, connection);
  const provider = (modelId: string, settings?: OpenAIChatSettings) => chat(modelId, settings);
  provider.chat = chat;
  provider.embedding = (modelId: string, settings: OpenAIEmbeddingSettings = {}) =>
    new OpenAIEmbedder(modelId, settings, connection);
  return provider;
}

/**
 * The default OpenAI provider: OPENAI_API_KEY and OPENAI_BASE_URL, read at the first request.
 *
 * @example
 * import { openai, generateText } from "memos-ts";
 * const { text } = await generateText(openai("gpt-4o-mini"), [{ role: "user", content: "Hi" }]);
 */
export const openai: OpenAIProvider = createOpenAI();
