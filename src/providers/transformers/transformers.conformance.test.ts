/**
 * The transformers (ONNX) embedder against the conformance suite, on the tiny random model folder
 * that scripts/make-test-onnx-embedder.ts writes.
 */
import { cachedTestOnnxEmbedder } from "../../../scripts/make-test-onnx-embedder.js";
import { runEmbedderConformance } from "../../testing/embedder-conformance.js";
import { createTransformersEmbedder } from "./transformers-embedder.js";

runEmbedderConformance("transformers (tiny generated ONNX model)", () =>
  createTransformersEmbedder({ modelPath: cachedTestOnnxEmbedder().dir, maxBatch: 4 }),
);
