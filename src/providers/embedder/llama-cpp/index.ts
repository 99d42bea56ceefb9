/**
 * GGUF embedders and rerankers through llama.cpp (`node-llama-cpp`, optional, imported on first
 * use). Registry entries live in `src/providers/llm/register-local.ts`.
 *
 * @module
 */
export {
  createLlamaCppEmbedder,
  LlamaCppEmbedder,
  type LlamaCppEmbedderOptions,
} from "./llama-cpp-embedder.js";
export {
  createLlamaCppReranker,
  LlamaCppReranker,
  type LlamaCppRerankerOptions,
} from "./llama-cpp-reranker.js";
