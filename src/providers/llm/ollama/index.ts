/**
 * Ollama backend: chat models and embedders on a local (or remote) Ollama server. The `ollama`
 * package is loaded on first use.
 *
 * @module
 */

export { OllamaEmbedder, type OllamaEmbeddingSettings } from "../../embedder/ollama/ollama-embedder.js";
export { OllamaChatLanguageModel, type OllamaChatSettings } from "./chat-model.js";
export { DEFAULT_OLLAMA_HOST, DEFAULT_OLLAMA_TIMEOUT_MS, type OllamaProviderOptions } from "./client.js";
export { createOllama, type OllamaProvider, ollama } from "./provider.js";
