/**
 * Registers reranker backend "bm25" (`k1`, `b`).
 *
 * @example
 * const reranker = await createFromConfig<Reranker>("reranker", { backend: "bm25", config: { k1: 1.5 } });
 *
 * @module
 */
import { z } from "zod";
import { registerBackend } from "../../core/backend-registry.js";
import { backendConfig, definedOnly } from "../shared/backend-config.js";
import { createBm25Reranker } from "./bm25-reranker.js";

/** Config of reranker backend "bm25". */
export const Bm25RerankerConfig = backendConfig({
  k1: z.number().min(0).optional(),
  b: z.number().min(0).max(1).optional(),
});

registerBackend("reranker", "bm25", (c) => createBm25Reranker(definedOnly(c)), Bm25RerankerConfig);
