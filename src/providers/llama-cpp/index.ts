/**
 * In-process GGUF models through llama.cpp (`node-llama-cpp`, an optional dependency imported on
 * first use): a chat model, an embedder and a reranker. Importing this module registers them as
 * the "llm", "embedder" and "reranker" backends "llama-cpp".
 *
 * @module
 */
import "./register.js";

export {
  createLlamaCppEmbedder,
  LlamaCppEmbedder,
  type LlamaCppEmbedderOptions,
} from "./llama-cpp-embedder.js";
export { toGrammarSchema } from "./llama-cpp-grammar.js";
export {
  createLlamaCpp,
  LlamaCppLanguageModel,
  type LlamaCppLora,
  type LlamaCppOptions,
} from "./llama-cpp-language-model.js";
export {
  createLlamaCppReranker,
  LlamaCppReranker,
  type LlamaCppRerankerOptions,
} from "./llama-cpp-reranker.js";
export {
  getLlamaFor,
  isModelUri,
  type LlamaGpu,
  loadLlamaModel,
  loadNodeLlamaCpp,
  resolveModelUri,
} from "./llama-cpp-runtime.js";
export { LlamaCppConfig, LlamaCppEmbedderConfig, LlamaCppRerankerConfig } from "./register.js";
