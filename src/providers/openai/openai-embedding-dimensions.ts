/**
 * Output sizes of OpenAI's embedding models. Stores fix their vector width when a cube is
 * created, so an embedder must know its `dimensions` before the first call; any other model
 * (vLLM, DashScope, a TEI server behind an OpenAI-compatible route) must be given them.
 */
export const OPENAI_EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

/** Models that accept a `dimensions` request field (Matryoshka shortening). */
export function supportsShortening(modelId: string): boolean {
  return /^text-embedding-3-/.test(modelId);
}
