/**
 * Side-effect module: registers the HTTP reranker as reranker backends "http" and "http_bge"
 * (MemOS's name; style "bge" by default).
 *
 * Config: `{style?: "tei" | "cohere" | "jina" | "bge", url? | reranker_url?, api_key?, model?,
 * headers? | headers_extra?, timeout? (seconds, as MemOS) | timeout_ms?, max_retries?, max_batch?}`.
 *
 * @example
 * const reranker = await createFromConfig<Reranker>("reranker", {
 *   backend: "http", config: { style: "tei", url: "http://localhost:8080" },
 * });
 *
 * @module
 */
import { z } from "zod";
import type { Reranker } from "../../../core/interfaces/reranker.js";
import { registerBackend } from "../../../core/backend-registry.js";
import { createHttpReranker } from "./http-reranker.js";
import { RERANK_STYLES, type RerankStyle } from "./styles.js";

/** Config of the "http" / "http_bge" reranker backends. */
export const HttpRerankerConfig = z.object({
  style: z.enum(RERANK_STYLES as [RerankStyle, ...RerankStyle[]]).optional(),
  url: z.url().optional(),
  reranker_url: z.url().optional(),
  api_key: z.string().optional(),
  model: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  headers_extra: z.record(z.string(), z.string()).nullish(),
  timeout: z.number().positive().optional(),
  timeout_ms: z.number().int().positive().optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
  max_batch: z.number().int().positive().optional(),
});

function factory(defaultStyle: RerankStyle) {
  return (c: z.output<typeof HttpRerankerConfig>): Reranker =>
    createHttpReranker({
      style: c.style ?? defaultStyle,
      url: c.url ?? c.reranker_url,
      apiKey: c.api_key || undefined,
      model: c.model,
      headers: { ...c.headers_extra, ...c.headers },
      timeoutMs: c.timeout_ms ?? (c.timeout !== undefined ? c.timeout * 1000 : undefined),
      maxRetries: c.max_retries,
      maxBatch: c.max_batch,
    });
}

registerBackend("reranker", "http", factory("tei"), HttpRerankerConfig);
registerBackend("reranker", "http_bge", factory("bge"), HttpRerankerConfig);
