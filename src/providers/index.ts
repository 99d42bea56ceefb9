/**
 * Every built-in provider, one folder per backend, and what they share. Importing this module
 * registers all their backends (see ./register-all.ts).
 *
 * @module
 */
import "./register-all.js";

export * from "./bm25-reranker/index.js";
export * from "./cosine-reranker/index.js";
export * from "./custom/index.js";
export * from "./glove/index.js";
export * from "./http-reranker/index.js";
export * from "./llama-cpp/index.js";
export * from "./llm-reranker/index.js";
export * from "./ollama/index.js";
export * from "./openai/index.js";
export * from "./shared/index.js";
export * from "./transformers/index.js";
