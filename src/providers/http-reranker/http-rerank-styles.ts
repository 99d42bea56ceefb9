/**
 * Wire formats of rerank servers. Each style builds the request body and parses (zod-validated)
 * the response into `{index, score}` pairs.
 *
 * - "tei" — Hugging Face text-embeddings-inference: `POST <url>/rerank {query, texts}` →
 *   `[{index, score}]`. Also what Infinity and many self-hosted BGE servers speak.
 * - "cohere" — Cohere `POST /v2/rerank {model, query, documents, top_n}` →
 *   `{results: [{index, relevance_score}]}`.
 * - "jina" — Jina AI `POST /v1/rerank`, Cohere's shape (+ `return_documents: false`).
 * - "bge" — self-hosted BGE rerankers (FlagEmbedding wrappers, MemOS's `http_bge` servers) have no
 *   single standard: they usually follow TEI or Cohere. We send Cohere's request to the URL as
 *   given and accept either TEI's array or `{results|data: [{index, relevance_score|score}]}`.
 *
 * @module
 */
import { z } from "zod";

export type RerankStyle = "tei" | "cohere" | "jina" | "bge";

export const RERANK_STYLES: readonly RerankStyle[] = ["tei", "cohere", "jina", "bge"];

export interface RerankStyleSpec {
  /** Endpoint used when none is given (hosted APIs only). */
  defaultUrl?: string;
  defaultModel?: string;
  /** Environment variable holding the key; named in authentication hints. */
  apiKeyEnv?: string;
  /** Documents per request: TEI's default `--max-client-batch-size` is 32; Cohere accepts 1000. */
  maxBatch: number;
  /** Final URL from the configured one. */
  endpoint(url: string): string;
  body(query: string, documents: string[], model: string | undefined): Record<string, unknown>;
  /** `{index, score}` pairs from the parsed JSON; throws a ZodError on a foreign shape. */
  parse(json: unknown): Array<{ index: number; score: number }>;
}

const index = z.number().int().nonnegative();

/** TEI: a bare array, sorted by score. */
export const TeiRerankResponse = z.array(z.object({ index, score: z.number() }));

/** Cohere v1/v2 and Jina. */
export const CohereRerankResponse = z.object({
  results: z.array(z.object({ index, relevance_score: z.number() })),
});

const bgeItem = z
  .object({ index, relevance_score: z.number().optional(), score: z.number().optional() })
  .refine((r) => r.relevance_score !== undefined || r.score !== undefined, "needs relevance_score or score");
/** Anything a BGE server is known to answer. */
export const BgeRerankResponse = z.union([
  z.array(bgeItem),
  z.object({ results: z.array(bgeItem) }),
  z.object({ data: z.array(bgeItem) }),
]);

const cohereLike = (json: unknown) =>
  CohereRerankResponse.parse(json).results.map((r) => ({ index: r.index, score: r.relevance_score }));

export const RERANK_STYLE_SPECS: Readonly<Record<RerankStyle, RerankStyleSpec>> = {
  tei: {
    maxBatch: 32,
    // TEI serves /rerank at the root: accept the server's base URL or the full endpoint.
    endpoint: (url) => (/\/rerank\/?$/.test(url) ? url : `${url.replace(/\/+$/, "")}/rerank`),
    // truncate: long memories would otherwise be refused ("must have less than 512 tokens").
    body: (query, documents) => ({ query, texts: documents, raw_scores: false, truncate: true }),
    parse: (json) => TeiRerankResponse.parse(json),
  },
  cohere: {
    defaultUrl: "https://api.cohere.com/v2/rerank",
    defaultModel: "rerank-v3.5",
    apiKeyEnv: "COHERE_API_KEY",
    maxBatch: 1000,
    endpoint: (url) => url,
    body: (query, documents, model) => ({ model, query, documents, top_n: documents.length }),
    parse: cohereLike,
  },
  jina: {
    defaultUrl: "https://api.jina.ai/v1/rerank",
    defaultModel: "jina-reranker-v2-base-multilingual",
    apiKeyEnv: "JINA_API_KEY",
    maxBatch: 1000,
    endpoint: (url) => url,
    body: (query, documents, model) => ({
      model,
      query,
      documents,
      top_n: documents.length,
      return_documents: false,
    }),
    parse: cohereLike,
  },
  bge: {
    maxBatch: 64,
    endpoint: (url) => url,
    body: (query, documents, model) => ({
      ...(model ? { model } : {}),
      query,
      documents,
      top_n: documents.length,
    }),
    parse: (json) => {
      const parsed = BgeRerankResponse.parse(json);
      const items = Array.isArray(parsed) ? parsed : "results" in parsed ? parsed.results : parsed.data;
      return items.map((r) => ({ index: r.index, score: (r.relevance_score ?? r.score) as number }));
    },
  },
};
