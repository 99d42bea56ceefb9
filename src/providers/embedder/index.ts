/**
 * Embedder backends. Importing this module registers every built-in embedder backend with the
 * core registry: "glove" (offline default), "openai" / "universal_api", "ollama", "llama-cpp",
 * "transformers". Optional client packages load on first use.
 *
 * @module
 */
import "./register-remote.js";
import "../llm/register-local.js";

export * from "./custom/index.js";
export { createGloveEmbedder, GloveEmbedder, type GloveEmbedderOptions } from "./glove/index.js";
export * from "./llama-cpp/index.js";
export * from "./ollama/index.js";
export * from "./openai/index.js";
export * from "./transformers/index.js";
