/**
 * `createOllama`: models and embedders on an Ollama server.
 *
 * @module
 */

import { OllamaChatLanguageModel, type OllamaChatSettings } from "./ollama-chat-language-model.js";
import { createOllamaConnection, type OllamaProviderOptions } from "./ollama-client.js";
import { OllamaEmbedder, type OllamaEmbeddingSettings } from "./ollama-embedder.js";

/** Makes Ollama chat models and embedders; created by {@link createOllama}. */
export interface OllamaProvider {
  /** A chat model; `settings` are per-model defaults (temperature, maxTokens, numCtx, ...). */
  (model: string, settings?: OllamaChatSettings): OllamaChatLanguageModel;
  /** Same as calling the provider. */
  chat(model: string, settings?: OllamaChatSettings): OllamaChatLanguageModel;
  /** An embedder; `dimensions` is required for models not in the known list. */
  embedding(model: string, settings?: OllamaEmbeddingSettings): OllamaEmbedder;
}

/**
 * Make a provider for an Ollama server. The `ollama` package is imported and OLLAMA_HOST read at
 * the first request; a server that is not running fails with "is Ollama running?".
 *
 * @example
 * const ollama = createOllama();                         // OLLAMA_HOST or http://127.0.0.1:11434
 * const model = ollama("qwen2.5:7b", { temperature: 0, numCtx: 8192 });
 * const { object } = await generateObject(model, messages, z.object({ tags: z.array(z.string()) }));
 * const embedder = ollama.embedding("nomic-embed-text"); // 768 dimensions
 */
export function createOllama(options: OllamaProviderOptions = {}): OllamaProvider {
  const connection = createOllamaConnection(options);
  const chat = (model: string, settings: OllamaChatSettings = {}) =>
    new OllamaChatLanguageModel(model, settings, connection);
  const provider = (model: string, settings?: OllamaChatSettings) => chat(model, settings);
  provider.chat = chat;
  provider.embedding = (model: string, settings: OllamaEmbeddingSettings = {}) =>
    new OllamaEmbedder(model, settings, connection);
  return provider;
}

/**
 * The default Ollama provider (OLLAMA_HOST, read at the first request).
 *
 * @example
 * const { text } = await generateText(ollama("llama3.2"), [{ role: "user", content: "Hi" }]);
 */
export const ollama: OllamaProvider = createOllama();
