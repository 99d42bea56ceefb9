/**
 * Embedder over OpenAI-compatible `/embeddings`. Create it through the provider:
 * `createOpenAI({...}).embedding(modelId, {dimensions})`.
 *
 * @module
 */

export { OPENAI_EMBEDDING_DIMENSIONS, supportsShortening } from "./known-dimensions.js";
export { OPENAI_MAX_BATCH, OpenAIEmbedder, type OpenAIEmbeddingSettings } from "./openai-embedder.js";
