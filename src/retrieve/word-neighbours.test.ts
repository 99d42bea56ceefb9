import { describe, expect, it } from "vitest";
import type { Embedder } from "../core/interfaces/embedder.js";
import { createGloveEmbedder } from "../providers/glove/index.js";
import { neighbourTerms, WordVectors } from "./word-neighbours.js";

describe("neighbourTerms", () => {
  it("finds a query word's near words among the candidates, weighted by similarity", async () => {
    const vectors = new WordVectors(await createGloveEmbedder());
    const near = await neighbourTerms(["pet"], ["cat", "shelter", "peanut", "allergy", "pet"], vectors, 0.5);
    expect([...near.keys()]).toEqual(["cat"]);
    expect(near.get("cat")).toBeGreaterThan(0.5);
    expect(near.get("cat")).toBeLessThan(1);
  });

  it("gives nothing below the threshold", async () => {
    const vectors = new WordVectors(await createGloveEmbedder());
    expect((await neighbourTerms(["pet"], ["cat"], vectors, 0.95)).size).toBe(0);
  });
});

describe("WordVectors", () => {
  it("embeds each word once and keeps at most its capacity", async () => {
    const glove = await createGloveEmbedder();
    const seen: string[] = [];
    const counting: Embedder = {
      ...glove,
      provider: glove.provider,
      modelId: glove.modelId,
      dimensions: glove.dimensions,
      maxBatch: glove.maxBatch,
      specificationVersion: "v1",
      doEmbed: (texts) => {
        seen.push(...texts);
        return glove.doEmbed(texts);
      },
    };
    const vectors = new WordVectors(counting, 2);
    await vectors.get(["cat", "dog"]);
    await vectors.get(["cat", "dog"]);
    expect(seen).toEqual(["cat", "dog"]);
    await vectors.get(["fish"]); // evicts "cat", the oldest
    await vectors.get(["cat"]);
    expect(seen).toEqual(["cat", "dog", "fish", "cat"]);
  });

  it("is shared per embedder", async () => {
    const glove = await createGloveEmbedder();
    expect(WordVectors.for(glove)).toBe(WordVectors.for(glove));
  });
});
