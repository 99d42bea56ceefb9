/**
 * Ollama backend: chat models and embedders on a local (or remote) Ollama server. The `ollama`
 * package is loaded on first use. Importing this module registers the "llm" and "embedder"
 * backends "ollama".
 *
 * @module
 */
import "./register.js";

export { OllamaChatLanguageModel, type OllamaChatSettings } from "./ollama-chat-language-model.js";
export {
  DEFAULT_OLLAMA_HOST,
  DEFAULT_OLLAMA_TIMEOUT_MS,
  type OllamaProviderOptions,
} from "./ollama-client.js";
export { OllamaEmbedder, type OllamaEmbeddingSettings } from "./ollama-embedder.js";
export { knownOllamaDimensions, OLLAMA_EMBEDDING_DIMENSIONS } from "./ollama-embedding-dimensions.js";
export { createOllama, type OllamaProvider, ollama } from "./ollama-provider.js";
export { OllamaEmbedderConfig, OllamaLLMConfig } from "./register.js";
