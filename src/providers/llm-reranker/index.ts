/**
 * Listwise LLM reranker. Importing this module registers reranker backend "llm".
 *
 * @module
 */
import "./register.js";

export { MAX_SCORE, MIN_SCORE, RerankScores, rerankPrompt } from "./llm-rerank-prompt.js";
export { createLlmReranker, LlmReranker, type LlmRerankerOptions } from "./llm-reranker.js";
export { LlmRerankerConfig } from "./register.js";
