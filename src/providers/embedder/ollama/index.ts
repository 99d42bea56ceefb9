/**
 * Embedder on an Ollama server. Create it through the provider:
 * `createOllama({...}).embedding(model, {dimensions})`.
 *
 * @module
 */

export { knownOllamaDimensions, OLLAMA_EMBEDDING_DIMENSIONS } from "./known-dimensions.js";
export { OllamaEmbedder, type OllamaEmbeddingSettings } from "./ollama-embedder.js";
