/**
 * Registers the HTTP reranker as reranker backends "http" (style "tei" by default) and
 * "http_bge" (MemOS's name; style "bge" by default).
 *
 * Keys: `style` ("tei" | "cohere" | "jina" | "bge"), `url` (MemOS: `reranker_url`), `api_key`,
 * `model_name_or_path` (or `model`: the rerank model, for Cohere/Jina), `headers` (MemOS:
 * `headers_extra`), `timeout` (seconds, as MemOS) or `timeout_ms`, `max_retries`, `max_batch`.
 *
 * @example
 * const reranker = await createFromConfig<Reranker>("reranker", {
 *   backend: "http", config: { style: "tei", url: "http://localhost:8080" },
 * });
 *
 * @module
 */
import { z } from "zod";
import { registerBackend } from "../../core/backend-registry.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import { backendConfig } from "../shared/backend-config.js";
import { RERANK_STYLES, type RerankStyle } from "./http-rerank-styles.js";
import { createHttpReranker } from "./http-reranker.js";

/** Config of the "http" / "http_bge" reranker backends. */
export const HttpRerankerConfig = backendConfig({
  style: z.enum(RERANK_STYLES as [RerankStyle, ...RerankStyle[]]).optional(),
  url: z.url().optional(),
  api_key: z.string().optional(),
  model_name_or_path: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeout: z.number().positive().optional(),
  timeout_ms: z.number().int().positive().optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
  max_batch: z.number().int().positive().optional(),
});

function factory(defaultStyle: RerankStyle) {
  return (c: z.output<typeof HttpRerankerConfig>): Reranker =>
    createHttpReranker({
      style: c.style ?? defaultStyle,
      url: c.url,
      apiKey: c.api_key || undefined,
      model: c.model_name_or_path,
      headers: c.headers,
      // MemOS gives `timeout` in seconds: a unit, not a spelling, so it is converted here.
      timeoutMs: c.timeout_ms ?? (c.timeout !== undefined ? c.timeout * 1000 : undefined),
      maxRetries: c.max_retries,
      maxBatch: c.max_batch,
    });
}

registerBackend("reranker", "http", factory("tei"), HttpRerankerConfig);
registerBackend("reranker", "http_bge", factory("bge"), HttpRerankerConfig);
