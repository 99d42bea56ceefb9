/**
 * In-process GGUF models through llama.cpp (`node-llama-cpp`, an optional dependency imported on
 * first use). Registry entries live in `../register-local.ts`.
 *
 * @module
 */

export { toGrammarSchema } from "./grammar.js";
export {
  createLlamaCpp,
  LlamaCppLanguageModel,
  type LlamaCppLora,
  type LlamaCppOptions,
} from "./llama-cpp-model.js";
export {
  getLlamaFor,
  isModelUri,
  type LlamaGpu,
  loadLlamaModel,
  loadNodeLlamaCpp,
  resolveModelUri,
} from "./runtime.js";
