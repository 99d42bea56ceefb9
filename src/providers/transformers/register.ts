/**
 * Registers embedder backend "transformers" (local ONNX models through `@huggingface/transformers`,
 * imported when the backend is created). Keys: `model_name_or_path` (a local model folder),
 * `pooling`, `normalize`, `embedding_dims`, `dtype`, `max_batch`, `model_id`.
 *
 * @example
 * const embedder = await createFromConfig<Embedder>("embedder", {
 *   backend: "transformers", config: { model_name_or_path: "./models/all-MiniLM-L6-v2" },
 * });
 *
 * @module
 */
import { z } from "zod";
import { registerBackend } from "../../core/backend-registry.js";
import { backendConfig, definedOnly } from "../shared/backend-config.js";
import { createTransformersEmbedder, type TransformersEmbedderOptions } from "./transformers-embedder.js";

const positiveInt = z.number().int().positive();

/** Config of embedder backend "transformers"; outputs {@link TransformersEmbedderOptions}. */
export const TransformersEmbedderConfig = backendConfig({
  model_name_or_path: z.string({ error: "is required: a local model folder" }).min(1),
  pooling: z.enum(["mean", "cls"]).optional(),
  normalize: z.boolean().optional(),
  embedding_dims: positiveInt.optional(),
  dtype: z.enum(["auto", "fp32", "fp16", "q8", "int8", "uint8", "q4", "bnb4", "q4f16"]).optional(),
  max_batch: positiveInt.optional(),
  model_id: z.string().min(1).optional(),
}).transform(
  (c): TransformersEmbedderOptions =>
    definedOnly({
      modelPath: c.model_name_or_path,
      pooling: c.pooling,
      normalize: c.normalize,
      dimensions: c.embedding_dims,
      dtype: c.dtype,
      maxBatch: c.max_batch,
      modelId: c.model_id,
    }),
);

registerBackend("embedder", "transformers", (c) => createTransformersEmbedder(c), TransformersEmbedderConfig);
