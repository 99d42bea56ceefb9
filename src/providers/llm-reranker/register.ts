/**
 * Registers reranker backend "llm" (listwise scoring by a language model): `llm` is a nested
 * `{backend, config}`; `batch_size`, `max_doc_chars`.
 *
 * @example
 * const reranker = await createFromConfig<Reranker>("reranker", {
 *   backend: "llm", config: { llm: { backend: "ollama", config: { model_name_or_path: "qwen2.5:7b" } } },
 * });
 *
 * @module
 */
import { z } from "zod";
import { createFromConfig, registerBackend } from "../../core/backend-registry.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import { BackendConfig } from "../../core/schema/config.js";
import { backendConfig, definedOnly } from "../shared/backend-config.js";
import { createLlmReranker } from "./llm-reranker.js";

/** Config of reranker backend "llm". */
export const LlmRerankerConfig = backendConfig({
  llm: BackendConfig,
  batch_size: z.number().int().positive().optional(),
  max_doc_chars: z.number().int().positive().optional(),
});

registerBackend(
  "reranker",
  "llm",
  async (c) => {
    const model = await createFromConfig<LanguageModel>("llm", c.llm);
    return createLlmReranker({
      model,
      ...definedOnly({ batchSize: c.batch_size, maxDocChars: c.max_doc_chars }),
    });
  },
  LlmRerankerConfig,
);
