import { beforeEach, expect } from "vitest";
import type { MemoryStore } from "../../core/interfaces/store.js";
import { mulberry32 as rng } from "../../core/math/random.js";
import { type MemoryFilter, matchesFilter, normalizeFilter } from "../../core/schema/filter.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { FILTER_CORPUS, FILTER_TABLE, randomFilter } from "./filter-corpus.js";
import { type ConformanceContext, ids, randomVector, rejection, sorted } from "./helpers.js";

/** The filter DSL: every path agrees with matchesFilter. */
export function filterTests({ describe, it, current }: ConformanceContext): void {
  describe("filter DSL", () => {
    let store: MemoryStore;
    beforeEach(() => {
      store = current();
    });

    const rand = rng(42);
    const corpusItems = FILTER_CORPUS.map((x) => ({
      item: TextualMemoryItem.parse(x),
      embedding: randomVector(rand),
    }));

    async function loadCorpus() {
      await store.addItems(corpusItems);
      return store.getItems(FILTER_CORPUS.map((x) => x.id));
    }

    function expectedIds(items: TextualMemoryItem[], filter: MemoryFilter): string[] {
      const node = normalizeFilter(filter);
      return sorted(
        items.filter((x) => matchesFilter(x as Parameters<typeof matchesFilter>[0], node)).map((x) => x.id),
      );
    }

    it("agrees with matchesFilter for every filter in the table (list, count, vector and keyword search)", async () => {
      const items = await loadCorpus();
      expect(items).toHaveLength(FILTER_CORPUS.length);
      const q = randomVector(rng(3));
      for (const filter of FILTER_TABLE) {
        const label = JSON.stringify(filter);
        const expected = expectedIds(items, filter);
        expect(sorted(ids(await store.listItems({ filter }))), label).toEqual(expected);
        expect(await store.count(filter), label).toBe(expected.length);
        expect(sorted(ids(await store.vectorSearch(q, { k: 50, filter }))), label).toEqual(expected);
        expect(sorted(ids(await store.keywordSearch("common", { k: 50, filter }))), label).toEqual(expected);
        // The normal form is accepted as well.
        expect(sorted(ids(await store.listItems({ filter: normalizeFilter(filter) }))), label).toEqual(
          expected,
        );
      }
    });

    it("agrees with matchesFilter on random filters", async () => {
      const items = await loadCorpus();
      const r = rng(1234);
      const q = randomVector(rng(5));
      for (let i = 0; i < 250; i++) {
        const filter = randomFilter(r);
        const label = JSON.stringify(filter);
        const expected = expectedIds(items, filter);
        expect(sorted(ids(await store.listItems({ filter }))), label).toEqual(expected);
        if (i % 5 === 0) {
          expect(sorted(ids(await store.vectorSearch(q, { k: 50, filter }))), label).toEqual(expected);
          expect(await store.count(filter), label).toBe(expected.length);
        }
      }
    });

    it("deleteWhere removes exactly what matches", async () => {
      const items = await loadCorpus();
      const filter: MemoryFilter = { or: [{ tags: { contains: "food" } }, { priority: { gt: 5 } }] };
      const expected = expectedIds(items, filter);
      expect(await store.deleteWhere(filter)).toBe(expected.length);
      expect(sorted(ids(await store.listItems()))).toEqual(
        sorted(FILTER_CORPUS.map((x) => x.id).filter((id) => !expected.includes(id))),
      );
    });

    it("rejects malformed filters with InvalidInputError", async () => {
      await loadCorpus();
      const bad = [
        { "bad field": 1 },
        { user_id: { regex: "u.*" } },
        { user_id: [1, 2] },
        { or: { user_id: "u1" } },
        { "$.user_id": "u1" },
      ];
      for (const filter of bad) {
        const err = await rejection(store.listItems({ filter: filter as unknown as MemoryFilter }));
        expect(err.code, JSON.stringify(filter)).toBe("invalid_input");
      }
      expect(await store.count()).toBe(FILTER_CORPUS.length);
    });
  });
}
