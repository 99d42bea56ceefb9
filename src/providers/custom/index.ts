/**
 * Language models and embedders from your own functions. They take functions, which a JSON
 * config cannot carry, so this backend registers nothing: build them in code.
 *
 * @module
 */
export { type CustomEmbedderOptions, createCustomEmbedder } from "./custom-embedder.js";
export { type CustomLanguageModelOptions, createCustomLanguageModel } from "./custom-language-model.js";
