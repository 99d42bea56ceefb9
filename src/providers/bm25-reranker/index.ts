/**
 * Okapi BM25 reranker over the candidate documents. Importing this module registers reranker backend "bm25".
 *
 * @module
 */
import "./register.js";

export { Bm25Reranker, type Bm25RerankerOptions, createBm25Reranker } from "./bm25-reranker.js";
export { ENGLISH_STOP_WORDS, tokenize } from "./bm25-tokenize.js";
export { Bm25RerankerConfig } from "./register.js";
