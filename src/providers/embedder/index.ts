/**
 * Embedder backends. Importing this module registers every built-in embedder backend
 * ("glove") with the core registry.
 *
 * @module
 */
export { createGloveEmbedder, GloveEmbedder, type GloveEmbedderOptions } from "./glove/index.js";
