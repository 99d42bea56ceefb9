import { describe, expect, it } from "vitest";
import type { Embedder } from "../core/interfaces/embedder.js";
import { cosine } from "../core/math/vector.js";
import { TextualMemoryItem } from "../core/schema/memory.js";
import { createCustomEmbedder } from "../providers/custom/index.js";
import { createGloveEmbedder } from "../providers/glove/index.js";
import { createSqliteMemoryStore } from "../storage/sqlite/index.js";
import { embeddingText, VectorLookup } from "./vectors.js";

async function cubeWithKeyedMemories(embedder: Embedder) {
  const store = await createSqliteMemoryStore({ path: ":memory:" });
  const items = [
    TextualMemoryItem.parse({
      id: "a",
      memory: "Maya is allergic to peanuts.",
      metadata: { key: "Allergy" },
    }),
    TextualMemoryItem.parse({ id: "b", memory: "Tom runs a marathon in June.", metadata: {} }),
  ];
  const vectors = await embedder.doEmbed(items.map(embeddingText));
  await store.addItems(items.map((item, i) => ({ item, embedding: vectors[i] })));
  let reads = 0;
  const getEmbedding = store.getEmbedding.bind(store);
  store.getEmbedding = async (id: string) => {
    reads++;
    return getEmbedding(id);
  };
  return { store, items, vectors, reads: () => reads };
}

describe("VectorLookup", () => {
  it("re-embeds with an in-process embedder instead of reading the store, and gets the stored vectors", async () => {
    const glove = await createGloveEmbedder();
    expect(glove.inProcess).toBe(true);
    const { store, items, vectors, reads } = await cubeWithKeyedMemories(glove);
    try {
      const got = await new VectorLookup(store, glove).vectors(items);
      expect(reads()).toBe(0);
      // The key is part of the embedded text: leaving it out would give another vector.
      expect(cosine(got.get("a") as Float32Array, vectors[0] as Float32Array)).toBeCloseTo(1, 5);
      expect(cosine(got.get("b") as Float32Array, vectors[1] as Float32Array)).toBeCloseTo(1, 5);
    } finally {
      await store.close();
    }
  });

  it("reads stored vectors when embedding means a call out, unless a custom embedder says it is in-process", async () => {
    const glove = await createGloveEmbedder();
    let embedded = 0;
    const embed = async (texts: string[]) => {
      embedded += texts.length;
      return glove.doEmbed(texts);
    };
    for (const inProcess of [undefined, true]) {
      const custom = createCustomEmbedder({
        dimensions: glove.dimensions,
        embed,
        ...(inProcess ? { inProcess } : {}),
      });
      const { store, items, vectors, reads } = await cubeWithKeyedMemories(custom);
      try {
        embedded = 0;
        const got = await new VectorLookup(store, custom).vectors(items);
        expect(reads()).toBe(inProcess ? 0 : 2);
        expect(embedded).toBe(inProcess ? 2 : 0);
        expect(cosine(got.get("a") as Float32Array, vectors[0] as Float32Array)).toBeCloseTo(1, 5);
      } finally {
        await store.close();
      }
    }
  });
});
