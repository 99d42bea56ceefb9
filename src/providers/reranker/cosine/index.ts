/** Cosine-similarity reranker (the default). @module */
export {
  CosineReranker,
  type CosineRerankerOptions,
  cosineSimilarity,
  createCosineReranker,
} from "./cosine-reranker.js";
