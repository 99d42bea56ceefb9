/**
 * Deterministic stand-in vectors for fake embedding servers: the same text always gives the same
 * unit vector, different texts different ones. Meaningless as semantics; exact as plumbing.
 *
 * @module
 */
import { mulberry32 } from "../core/math/random.js";
import { l2Normalize } from "../core/math/vector.js";

/**
 * A unit vector of `dimensions` numbers seeded by the text (FNV-1a).
 *
 * @example
 * server.route({ path: "/v1/embeddings" }, (req) => ({ body: { data: req.body.input.map((t, index) => ({ index, embedding: fakeEmbedding(t, 8) })) } }));
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const rand = mulberry32(hash);
  const v = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) v[i] = rand() * 2 - 1;
  return Array.from(l2Normalize(v));
}
