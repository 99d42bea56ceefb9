import { beforeEach, expect } from "vitest";
import type { MemoryStore } from "../../core/interfaces/store.js";
import { angled, type ConformanceContext, DIM, ids, mem, sorted, stored } from "./helpers.js";

/** Transactions: commit, rollback, isolation, nesting. */
export function transactionTests({ describe, it, current }: ConformanceContext): void {
  describe("transactions", () => {
    let store: MemoryStore;
    beforeEach(() => {
      store = current();
    });

    it("commits all writes together and returns fn's value", async () => {
      const result = await store.transaction(async (tx) => {
        await tx.addItems([stored("a", "alpha", {}, angled(0)), stored("b", "beta", {}, angled(1))]);
        await tx.addEdges([{ source: "a", target: "b", type: "RELATE_TO" }]);
        await tx.updateItem("a", mem("a", "alpha two"));
        return "done";
      });
      expect(result).toBe("done");
      expect(await store.count()).toBe(2);
      expect(await store.neighbors("a")).toEqual(["b"]);
      expect((await store.getItem("a"))?.memory).toBe("alpha two");
    });

    it("rolls back everything when fn throws, and rethrows its error", async () => {
      await store.addItems([stored("keep", "kept memory", {}, angled(0))]);
      const boom = new Error("boom");
      await expect(
        store.transaction(async (tx) => {
          await tx.addItems([stored("a", "walrus", {}, angled(1)), stored("b", "beta", {}, angled(2))]);
          await tx.addEdges([{ source: "a", target: "keep", type: "RELATE_TO" }]);
          await tx.updateItem("keep", mem("keep", "changed memory"));
          await tx.deleteItems(["keep"]);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(ids(await store.listItems())).toEqual(["keep"]);
      expect((await store.getItem("keep"))?.memory).toBe("kept memory");
      expect(await store.keywordSearch("walrus", { k: 5 })).toEqual([]);
      expect(ids(await store.vectorSearch(angled(1), { k: 5 }))).toEqual(["keep"]);
      expect(await store.getEdges("keep")).toEqual([]);
    });

    it("rolls back a transaction whose first vector fixed the dimension", async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.addItems([stored("a", "alpha", {}, new Float32Array(DIM).fill(1))]);
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      expect(await store.count()).toBe(0);
      await store.addItems([stored("b", "beta", {}, angled(0))]);
      expect(ids(await store.vectorSearch(angled(0), { k: 2 }))).toEqual(["b"]);
    });

    it("never shows other callers a half-done transaction", async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let firstWritten!: () => void;
      const afterFirst = new Promise<void>((r) => {
        firstWritten = r;
      });
      const tx = store.transaction(async (t) => {
        await t.addItems([stored("a", "first")]);
        firstWritten();
        await gate;
        await t.addItems([stored("b", "second")]);
      });
      await afterFirst;
      const seen = store.count();
      release();
      await tx;
      // Either the caller waited for the commit (2) or read the state before it (0); never 1.
      expect([0, 2]).toContain(await seen);
      expect(await store.count()).toBe(2);
    });

    it("nested transactions commit with the outer one and roll back with it", async () => {
      await store.transaction(async (tx) => {
        await tx.addItems([stored("outer", "outer")]);
        await tx.transaction(async (inner) => {
          await inner.addItems([stored("inner", "inner")]);
        });
      });
      expect(sorted(ids(await store.listItems()))).toEqual(["inner", "outer"]);
      await expect(
        store.transaction(async (tx) => {
          await tx.transaction(async (inner) => {
            await inner.addItems([stored("inner2", "inner two")]);
          });
          throw new Error("outer fails");
        }),
      ).rejects.toThrow("outer fails");
      expect(await store.getItem("inner2")).toBeNull();
    });
  });
}
