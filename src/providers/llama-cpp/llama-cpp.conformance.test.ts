/**
 * The llama.cpp chat model and embedder against the conformance suites, on the random-weight GGUF
 * that scripts/make-test-gguf.ts generates (CPU only, one thread). Random weights make the text
 * meaningless; the suites check mechanics, and grammar-constrained JSON must still parse.
 */
import { cachedTestGguf } from "../../../scripts/make-test-gguf.js";
import { runEmbedderConformance } from "../../testing/embedder-conformance.js";
import { runLanguageModelConformance } from "../../testing/language-model-conformance.js";
import { createLlamaCppEmbedder, type LlamaCppEmbedder } from "./llama-cpp-embedder.js";
import { createLlamaCpp, type LlamaCppLanguageModel } from "./llama-cpp-language-model.js";

let model: LlamaCppLanguageModel | undefined;
let embedder: LlamaCppEmbedder | undefined;

runLanguageModelConformance(
  "llama-cpp (tiny random GGUF)",
  async () => {
    model = createLlamaCpp({
      modelPath: cachedTestGguf().modelFile,
      gpu: false,
      threads: 1,
      contextSize: 512,
    });
    await model.load();
    return model;
  },
  {
    reportsUsage: true,
    callOptions: { maxTokens: 24, seed: 7 },
    skip: { "auth-error": "an in-process model has no credentials" },
    cleanup: () => model?.dispose(),
  },
);

runEmbedderConformance(
  "llama-cpp (tiny random GGUF)",
  async () => {
    embedder = await createLlamaCppEmbedder({
      modelPath: cachedTestGguf().modelFile,
      gpu: false,
      threads: 1,
      contextSize: 256,
      maxBatch: 4,
    });
    return embedder;
  },
  { cleanup: () => embedder?.dispose() },
);
