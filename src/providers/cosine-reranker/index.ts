/**
 * Cosine-similarity reranker (the default). Importing this module registers reranker backends "cosine" and "cosine_local".
 *
 * @module
 */
import "./register.js";

export {
  CosineReranker,
  type CosineRerankerOptions,
  cosineSimilarity,
  createCosineReranker,
} from "./cosine-reranker.js";
export { CosineRerankerConfig } from "./register.js";
