/**
 * Side-effect module: registers the built-in rerankers.
 *
 * - "cosine" (default; alias "cosine_local", MemOS's name) → {@link createCosineReranker}.
 *   `config.embedder` is a nested `{backend, config}` (default: the offline GloVe embedder).
 *   MemOS's `level_weights` / `level_field` are accepted and ignored: they weight memory
 *   metadata, which `doRerank(query, documents)` does not see.
 * - "bm25" → {@link createBm25Reranker} (`k1`, `b`).
 * - "llm" → {@link createLlmReranker}: `config.llm` is a nested `{backend, config}`;
 *   `batch_size` / `batchSize`, `max_doc_chars` / `maxDocChars`.
 *
 * @example
 * const reranker = await createFromConfig<Reranker>("reranker", { backend: "bm25", config: { k1: 1.5 } });
 *
 * @module
 */
import { z } from "zod";
import type { Embedder } from "../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import { createFromConfig, registerBackend } from "../../core/backend-registry.js";
import { BackendConfig } from "../../core/schema/config.js";
import "../embedder/glove/register.js"; // the cosine reranker's default embedder
import { createBm25Reranker } from "./bm25/bm25-reranker.js";
import { createCosineReranker } from "./cosine/cosine-reranker.js";
import { createLlmReranker } from "./llm/llm-reranker.js";

const DEFAULT_EMBEDDER = { backend: "glove", config: {} };

/** Config of reranker backend "cosine". */
export const CosineRerankerConfig = z.object({
  embedder: BackendConfig.optional(),
  level_weights: z.record(z.string(), z.number()).optional(),
  level_field: z.string().optional(),
});

/** Config of reranker backend "bm25". */
export const Bm25RerankerConfig = z.object({
  k1: z.number().min(0).optional(),
  b: z.number().min(0).max(1).optional(),
});

/** Config of reranker backend "llm". */
export const LlmRerankerConfig = z.object({
  llm: BackendConfig,
  batch_size: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().optional(),
  max_doc_chars: z.number().int().positive().optional(),
  maxDocChars: z.number().int().positive().optional(),
});

async function cosine(c: z.output<typeof CosineRerankerConfig>) {
  const embedder = await createFromConfig<Embedder>("embedder", c.embedder ?? DEFAULT_EMBEDDER);
  return createCosineReranker({ embedder });
}

registerBackend("reranker", "cosine", cosine, CosineRerankerConfig);
registerBackend("reranker", "cosine_local", cosine, CosineRerankerConfig);
registerBackend(
  "reranker",
  "bm25",
  (c) =>
    createBm25Reranker({
      ...(c.k1 !== undefined ? { k1: c.k1 } : {}),
      ...(c.b !== undefined ? { b: c.b } : {}),
    }),
  Bm25RerankerConfig,
);
registerBackend(
  "reranker",
  "llm",
  async (c) => {
    const model = await createFromConfig<LanguageModel>("llm", c.llm);
    const batchSize = c.batchSize ?? c.batch_size;
    const maxDocChars = c.maxDocChars ?? c.max_doc_chars;
    return createLlmReranker({
      model,
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(maxDocChars !== undefined ? { maxDocChars } : {}),
    });
  },
  LlmRerankerConfig,
);
