/**
 * Local ONNX embedders through `@huggingface/transformers` (optional, imported on first use).
 * Importing this module registers embedder backend "transformers".
 *
 * @module
 */
import "./register.js";

export { TransformersEmbedderConfig } from "./register.js";
export {
  createTransformersEmbedder,
  TransformersEmbedder,
  type TransformersEmbedderOptions,
} from "./transformers-embedder.js";
