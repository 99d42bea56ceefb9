/** Listwise LLM reranker. @module */
export { createLlmReranker, LlmReranker, type LlmRerankerOptions } from "./llm-reranker.js";
export { MAX_SCORE, MIN_SCORE, RerankScores, rerankPrompt } from "./prompt.js";
