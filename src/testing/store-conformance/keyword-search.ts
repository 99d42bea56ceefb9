import { beforeEach, expect } from "vitest";
import { MemosError } from "../../core/errors/index.js";
import type { MemoryStore, StoredItem } from "../../core/interfaces/store.js";
import { type ConformanceContext, ids, sorted, stored } from "./helpers.js";

/** Keyword search: BM25 ranking, key and tags, query text as data, filters. */
export function keywordSearchTests({ describe, it, current }: ConformanceContext): void {
  describe("keyword search", () => {
    let store: MemoryStore;
    beforeEach(() => {
      store = current();
    });

    it("ranks with BM25: the rare term wins, scores are positive and descending, k is respected", async () => {
      const batch: StoredItem[] = [];
      for (let i = 0; i < 20; i++) batch.push(stored(`c${i}`, `the apple orchard report number ${i}`));
      batch.push(stored("rare", "an apple fell on the zeppelin"));
      batch.push(stored("unrelated", "nothing to see here"));
      await store.addItems(batch);
      const hits = await store.keywordSearch("zeppelin apple", { k: 5 });
      expect(hits).toHaveLength(5);
      expect(hits[0]?.id).toBe("rare");
      for (const h of hits) expect(h.score).toBeGreaterThan(0);
      for (let i = 1; i < hits.length; i++)
        expect(hits[i - 1]?.score).toBeGreaterThanOrEqual(hits[i]?.score as number);
      expect(ids(await store.keywordSearch("ZEPPELIN", { k: 5 }))).toEqual(["rare"]);
      expect(await store.keywordSearch("xylophone", { k: 5 })).toEqual([]);
      expect(ids(await store.keywordSearch("apple", { k: 100 }))).not.toContain("unrelated");
    });

    it("searches key and tags too", async () => {
      await store.addItems([
        stored("k", "she enjoys it every morning", { key: "espresso habit" }),
        stored("t", "bought new shoes", { tags: ["marathon", "running"] }),
        stored("n", "nothing relevant"),
      ]);
      expect(ids(await store.keywordSearch("espresso", { k: 5 }))).toEqual(["k"]);
      expect(ids(await store.keywordSearch("marathon", { k: 5 }))).toEqual(["t"]);
    });

    it("treats the query as data: FTS syntax characters never throw", async () => {
      await store.addItems([
        stored("tea", "green tea AND coffee near the door", { tags: ["drink"] }),
        stored("other", "a quiet evening"),
      ]);
      const queries = [
        '"',
        '"unbalanced',
        "*",
        "tea*",
        "AND",
        "OR NOT",
        "NEAR(",
        "NEAR(tea coffee",
        "-tea",
        "tea -coffee",
        "tags:tea",
        "memory:tea",
        "^tea",
        "(",
        ")",
        "{tea}",
        "'",
        "\\",
        "tea AND",
        "tea OR",
        "a\u0000b",
        'tea"; DROP TABLE items; --',
        "'); DELETE FROM items; --",
        "+tea",
        "tea:*",
        '"tea" "coffee"',
      ];
      for (const q of queries) {
        const hits = await store.keywordSearch(q, { k: 5 });
        expect(Array.isArray(hits), q).toBe(true);
        expect(
          hits.every((h) => h.id === "tea" || h.id === "other"),
          q,
        ).toBe(true);
      }
      expect(ids(await store.keywordSearch("tea AND", { k: 5 }))).toEqual(["tea"]);
      expect(ids(await store.keywordSearch("NEAR(tea", { k: 5 }))).toEqual(["tea"]);
      expect(ids(await store.keywordSearch("-tea", { k: 5 }))).toEqual(["tea"]);
      expect(await store.count()).toBe(2);
      // Nothing to search for: an empty result or a clear InvalidInputError, never an SQL error.
      for (const q of ["", "   ", "!!! ??? ...", '"" ** --']) {
        try {
          expect(await store.keywordSearch(q, { k: 5 })).toEqual([]);
        } catch (error) {
          expect(MemosError.isInstance(error) && error.code).toBe("invalid_input");
        }
      }
    });

    it("respects filters", async () => {
      await store.addItems([
        stored("a", "budget meeting notes", { user_id: "u1" }),
        stored("b", "budget meeting agenda", { user_id: "u2" }),
        stored("c", "budget", { user_id: "u2", status: "archived" }),
      ]);
      expect(ids(await store.keywordSearch("budget", { k: 5, filter: { user_id: "u1" } }))).toEqual(["a"]);
      expect(await store.keywordSearch("budget", { k: 5, filter: { user_id: "nobody" } })).toEqual([]);
      expect(
        sorted(ids(await store.keywordSearch("budget", { k: 5, filter: { status: "activated" } }))),
      ).toEqual(["a", "b"]);
    });

    it("finds the few filtered matches that rank below hundreds of others", async () => {
      const batch: StoredItem[] = [];
      for (let i = 0; i < 300; i++)
        batch.push(stored(`d${i}`, `budget budget review ${i}`, { user_id: "many" }));
      // Longer documents with one mention rank lowest for "budget".
      batch.push(stored("r1", `budget ${"filler words here ".repeat(20)}`, { user_id: "rare", tags: ["x"] }));
      batch.push(stored("r2", `budget ${"more filler text ".repeat(25)}`, { user_id: "rare", tags: ["x"] }));
      await store.addItems(batch);
      const unfiltered = await store.keywordSearch("budget", { k: 400 });
      expect(unfiltered).toHaveLength(302);
      expect(sorted(ids(unfiltered.slice(-2)))).toEqual(["r1", "r2"]);
      expect(ids(await store.keywordSearch("budget", { k: 5, filter: { user_id: "rare" } }))).toEqual([
        "r1",
        "r2",
      ]);
      expect(ids(await store.keywordSearch("budget", { k: 5, filter: { tags: { contains: "x" } } }))).toEqual(
        ["r1", "r2"],
      );
    });
  });
}
