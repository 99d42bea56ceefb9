import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createFromConfig, registerBackend } from "../../core/backend-registry.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import "./register.js";
import { cosineSimilarity, createCosineReranker } from "./cosine-reranker.js";

/** Letter-count vectors: texts sharing letters are "similar". Deterministic, no model. */
function letterEmbedder(maxBatch = 2): Embedder & { batches: number[] } {
  const batches: number[] = [];
  return {
    specificationVersion: "v1",
    provider: "test",
    modelId: "letters",
    dimensions: 26,
    maxBatch,
    batches,
    async doEmbed(texts) {
      batches.push(texts.length);
      return texts.map((t) => {
        const v = new Float32Array(26);
        for (const ch of t.toLowerCase()) {
          const i = ch.charCodeAt(0) - 97;
          if (i >= 0 && i < 26) v[i] = (v[i] as number) + 1;
        }
        return v;
      });
    },
  };
}

describe("cosine reranker", () => {
  it("cosineSimilarity: parallel 1, orthogonal 0, zero vector 0", () => {
    expect(cosineSimilarity(Float32Array.of(1, 2), Float32Array.of(2, 4))).toBeCloseTo(1, 6);
    expect(cosineSimilarity(Float32Array.of(1, 0), Float32Array.of(0, 3))).toBe(0);
    expect(cosineSimilarity(Float32Array.of(0, 0), Float32Array.of(1, 1))).toBe(0);
    expect(() => cosineSimilarity(Float32Array.of(1), Float32Array.of(1, 2))).toThrow(/dimensions differ/);
  });

  it("scores documents in order, respecting the embedder's batch limit", async () => {
    const embedder = letterEmbedder(2);
    const reranker = createCosineReranker({ embedder });
    const scores = await reranker.doRerank("aaa", ["aa", "bbb", "ab", "zzz"]);
    expect(scores[0]).toBeCloseTo(1, 6);
    expect(scores[1]).toBe(0);
    expect(scores[2]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(scores[3]).toBe(0);
    expect(embedder.batches).toEqual([2, 2, 1]);
    expect(reranker.modelId).toBe("cosine:test:letters");
    expect(await reranker.doRerank("q", [])).toEqual([]);
  });

  it("resolves through the registry with a nested embedder config (and MemOS's cosine_local name)", async () => {
    registerBackend("embedder", "test-letters", () => letterEmbedder(8), z.object({}));
    for (const backend of ["cosine", "cosine_local"]) {
      const r = await createFromConfig<Reranker>("reranker", {
        backend,
        config: { embedder: { backend: "test-letters", config: {} }, level_weights: { topic: 1 } },
      });
      expect(await r.doRerank("aaa", ["aa", "bb"])).toEqual([expect.closeTo(1, 6), 0]);
    }
  });
});
