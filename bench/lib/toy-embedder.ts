import type { Embedder } from "../../src/core/interfaces/embedder.js";

/**
 * A hashed bag-of-words embedder for benchmark tests: deterministic and instant (no GloVe load),
 * unit-length vectors, so texts sharing words score high. Not for measurements.
 */
export function createToyEmbedder(dimensions = 32): Embedder {
  return {
    specificationVersion: "v1",
    provider: "toy",
    modelId: `toy-hash-${dimensions}`,
    dimensions,
    maxBatch: 64,
    async doEmbed(texts) {
      return texts.map((t) => {
        const v = new Float32Array(dimensions);
        for (const w of t.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
          let h = 0;
          for (const c of w) h = (h * 31 + c.charCodeAt(0)) >>> 0;
          v[h % dimensions] = (v[h % dimensions] ?? 0) + 1;
        }
        let n = 0;
        for (const x of v) n += x * x;
        n = Math.sqrt(n) || 1;
        return v.map((x) => x / n);
      });
    },
  };
}
