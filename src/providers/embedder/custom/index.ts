/**
 * Embedders from your own functions.
 *
 * @module
 */
export { type CustomEmbedderOptions, createCustomEmbedder } from "./custom-embedder.js";
