/**
 * Reranker backends. Importing this module registers them all with the core registry:
 * "cosine" / "cosine_local", "bm25", "llm" (local) and "http" / "http_bge" (rerank servers).
 *
 * @module
 */
import "./register.js";

export * from "./bm25/index.js";
export * from "./cosine/index.js";
export * from "./http/index.js";
export * from "./llm/index.js";
export { Bm25RerankerConfig, CosineRerankerConfig, LlmRerankerConfig } from "./register.js";
