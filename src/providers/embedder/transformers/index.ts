/**
 * Local ONNX embedders through `@huggingface/transformers` (optional, imported on first use).
 *
 * @module
 */
export {
  createTransformersEmbedder,
  TransformersEmbedder,
  type TransformersEmbedderOptions,
} from "./transformers-embedder.js";
