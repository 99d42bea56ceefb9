/**
 * Registers reranker backend "cosine" (the default; alias "cosine_local", MemOS's name).
 * `embedder` is a nested `{backend, config}` (default: the offline GloVe embedder).
 *
 * MemOS's `level_weights` / `level_field` weight memories by a metadata field, which
 * `doRerank(query, documents)` does not see: uniform weights (a no-op, MemOS's default) are
 * accepted, any other weighting is a ConfigError rather than silently dropped.
 *
 * @example
 * const reranker = await createFromConfig<Reranker>("reranker", { backend: "cosine", config: {} });
 *
 * @module
 */
import { z } from "zod";
import { createFromConfig, registerBackend } from "../../core/backend-registry.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { BackendConfig } from "../../core/schema/config.js";
import "../glove/register.js"; // the default embedder
import { backendConfig } from "../shared/backend-config.js";
import { createCosineReranker } from "./cosine-reranker.js";

const DEFAULT_EMBEDDER = { backend: "glove", config: {} };

/** Config of reranker backend "cosine". */
export const CosineRerankerConfig = backendConfig({
  embedder: BackendConfig.optional(),
  level_weights: z
    .record(z.string(), z.number())
    .refine((w) => new Set(Object.values(w)).size <= 1, {
      message: "non-uniform level weights are not implemented (the reranker sees only text)",
    })
    .optional(),
  level_field: z.string().optional(),
});

async function cosine(c: z.output<typeof CosineRerankerConfig>) {
  const embedder = await createFromConfig<Embedder>("embedder", c.embedder ?? DEFAULT_EMBEDDER);
  return createCosineReranker({ embedder });
}

registerBackend("reranker", "cosine", cosine, CosineRerankerConfig);
registerBackend("reranker", "cosine_local", cosine, CosineRerankerConfig);
