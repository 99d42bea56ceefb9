/**
 * HTTP rerankers (TEI, Cohere, Jina, BGE-style servers). Importing this module registers the
 * reranker backends "http" and "http_bge".
 *
 * @module
 */
import "./register.js";

export {
  BgeRerankResponse,
  CohereRerankResponse,
  RERANK_STYLE_SPECS,
  RERANK_STYLES,
  type RerankStyle,
  type RerankStyleSpec,
  TeiRerankResponse,
} from "./http-rerank-styles.js";
export { createHttpReranker, type HttpRerankerOptions } from "./http-reranker.js";
export { HttpRerankerConfig } from "./register.js";
