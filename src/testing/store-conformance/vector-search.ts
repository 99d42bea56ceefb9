import { beforeEach, expect } from "vitest";
import type { MemoryStore, StoredItem } from "../../core/interfaces/store.js";
import { mulberry32 as rng } from "../../core/math/random.js";
import { cosine } from "../../core/math/vector.js";
import { angled, type ConformanceContext, DIM, ids, mem, rejection, sorted, stored } from "./helpers.js";

/** Vector search: cosine ranking, k, filters, dimensions. */
export function vectorSearchTests({ describe, it, current }: ConformanceContext): void {
  describe("vector search", () => {
    let store: MemoryStore;
    beforeEach(() => {
      store = current();
    });

    it("ranks nearest first with cosine similarity scores, and respects k", async () => {
      const angles = [0, 0.3, 0.6, 1.0, 1.5, 2.5, Math.PI];
      await store.addItems(angles.map((a, i) => stored(`v${i}`, `vector ${i}`, {}, angled(a))));
      await store.addItems([stored("novec", "no vector here")]);
      const q = angled(0.05);
      const hits = await store.vectorSearch(q, { k: 4 });
      expect(ids(hits)).toEqual(["v0", "v1", "v2", "v3"]);
      for (const [i, h] of hits.entries())
        expect(h.score).toBeCloseTo(cosine(q, angled(angles[i] as number)), 5);
      const all = await store.vectorSearch(q, { k: 100 });
      expect(all).toHaveLength(angles.length);
      expect(all.at(-1)?.id).toBe("v6");
      expect(all.at(-1)?.score).toBeCloseTo(-cosine(q, angled(0)), 5);
      for (let i = 1; i < all.length; i++)
        expect(all[i - 1]?.score).toBeGreaterThanOrEqual(all[i]?.score as number);
      // Non-normalised vectors: cosine ignores length.
      const scaled = angled(0.3).map((x) => x * 40);
      expect((await store.vectorSearch(scaled, { k: 1 }))[0]?.id).toBe("v1");
    });

    it("returns nothing from a store without vectors", async () => {
      await store.addItems([stored("a", "text only")]);
      expect(await store.vectorSearch(angled(0), { k: 3 })).toEqual([]);
    });

    it("respects filters, including selective ones far from the query", async () => {
      const rand = rng(7);
      const batch: StoredItem[] = [];
      for (let i = 0; i < 300; i++) {
        // Near the query: status/user mixes. The three "needle" items are the farthest of all.
        const needle = i < 3;
        const angle = needle ? Math.PI - i * 0.01 : rand() * 1.5;
        batch.push(
          stored(
            `n${i}`,
            `item ${i}`,
            {
              user_id: i % 3 === 0 ? "u1" : "u2",
              status: i % 4 === 0 ? "archived" : "activated",
              tags: needle ? ["needle"] : ["hay"],
              rank: i,
            },
            angled(angle),
          ),
        );
      }
      await store.addItems(batch);
      const q = angled(0);
      const needles = await store.vectorSearch(q, { k: 3, filter: { tags: { contains: "needle" } } });
      expect(sorted(ids(needles))).toEqual(["n0", "n1", "n2"]);
      expect(ids(needles)).toEqual(["n2", "n1", "n0"]); // nearest first among them
      const u1 = await store.vectorSearch(q, { k: 10, filter: { user_id: "u1", status: "activated" } });
      expect(u1).toHaveLength(10);
      const items = await store.getItems(ids(u1));
      expect(items.every((x) => x.metadata.user_id === "u1" && x.metadata.status === "activated")).toBe(true);
      // Exactly the 10 best among the matching items.
      const allMatching = await store.vectorSearch(q, {
        k: 300,
        filter: { user_id: "u1", status: "activated" },
      });
      expect(ids(u1)).toEqual(ids(allMatching).slice(0, 10));
      const mixed = await store.vectorSearch(q, {
        k: 5,
        filter: { or: [{ rank: { lt: 2 } }, { rank: { gte: 298 } }] },
      });
      expect(sorted(ids(mixed))).toEqual(["n0", "n1", "n298", "n299"]);
      expect(await store.vectorSearch(q, { k: 5, filter: { user_id: "nobody" } })).toEqual([]);
    });

    it("rejects a query of the wrong dimension with StorageError", async () => {
      await store.addItems([stored("a", "x", {}, angled(0))]);
      const err = await rejection(store.vectorSearch(new Float32Array(DIM + 3).fill(1), { k: 1 }));
      expect(err.code).toBe("storage");
    });

    it("fixes the dimension with the first vector; a mismatch is a StorageError and writes nothing", async () => {
      await store.addItems([stored("a", "first", {}, angled(0))]);
      expect(store.dimensions).toBe(DIM);
      const err = await rejection(
        store.addItems([
          stored("b", "fits", {}, angled(1)),
          stored("c", "too short", {}, new Float32Array(DIM - 2).fill(0.5)),
        ]),
      );
      expect(err.code).toBe("storage");
      expect(err.hint).toMatch(/embed/i);
      expect(await store.count()).toBe(1);
      const err2 = await rejection(
        store.updateItem("a", mem("a", "first"), new Float32Array(DIM * 2).fill(1)),
      );
      expect(err2.code).toBe("storage");
      expect(Array.from((await store.getEmbedding("a")) ?? [])).toEqual(Array.from(angled(0)));
    });

    it("rejects a bad k with InvalidInputError", async () => {
      await store.addItems([stored("a", "x", {}, angled(0))]);
      for (const k of [0, -1, 1.5, Number.NaN]) {
        expect((await rejection(store.vectorSearch(angled(0), { k }))).code).toBe("invalid_input");
        expect((await rejection(store.keywordSearch("x", { k }))).code).toBe("invalid_input");
      }
    });
  });
}
