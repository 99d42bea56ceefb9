/**
 * Output sizes of common Ollama embedding models (default tags). Stores fix their vector width
 * when a cube is created, so the embedder must know it up front; other models need
 * `dimensions` (config: `embedding_dims`).
 */
export const OLLAMA_EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = {
  "nomic-embed-text": 768,
  "mxbai-embed-large": 1024,
  "all-minilm": 384,
  "bge-m3": 1024,
  "bge-large": 1024,
  "snowflake-arctic-embed": 1024,
  embeddinggemma: 768,
};

/** Known size of a model, ignoring a ":latest" tag (other tags may change the size). */
export function knownOllamaDimensions(model: string): number | undefined {
  return OLLAMA_EMBEDDING_DIMENSIONS[model.replace(/:latest$/, "")];
}
