/** Okapi BM25 reranker over the candidate documents. @module */
export { Bm25Reranker, type Bm25RerankerOptions, createBm25Reranker } from "./bm25-reranker.js";
export { ENGLISH_STOP_WORDS, tokenize } from "./tokenize.js";
