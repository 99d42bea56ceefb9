import { beforeEach, expect } from "vitest";
import type { MemoryStore, StoredItem } from "../../core/interfaces/store.js";
import { mulberry32 as rng } from "../../core/math/random.js";
import { TextualMemoryItem, type TextualMemoryItemInput } from "../../core/schema/memory.js";
import {
  angled,
  type ConformanceContext,
  DIM,
  edgeKey,
  expectedBack,
  ids,
  mem,
  randomVector,
  rejection,
  stored,
} from "./helpers.js";

/** Items: round trips, batches, upserts, updates, deletes, counting and paging. */
export function itemTests({ describe, it, current }: ConformanceContext): void {
  describe("items", () => {
    let store: MemoryStore;
    beforeEach(() => {
      store = current();
    });

    const full: TextualMemoryItemInput = {
      id: "0b6f3a52-5a53-4a0f-9d0e-7a3f64e1b001",
      memory: "Alice moved to Lisbon in March 2024 and works at a bakery.",
      metadata: {
        user_id: "alice",
        session_id: "sess-1",
        cube_id: "cube-a",
        status: "activated",
        type: "fact",
        key: "Alice's home",
        tags: ["home", "work", "lisbon"],
        confidence: 87.5,
        source: "conversation",
        visibility: "private",
        memory_type: "UserMemory",
        sources: [
          {
            type: "chat",
            role: "user",
            chat_time: "2024-03-02T10:00:00Z",
            message_id: "m1",
            content: "I moved to Lisbon",
          },
        ],
        background: "Alice talks about her move.",
        usage: ["2024-03-03T00:00:00Z", { time: "2024-03-04T00:00:00Z", query: "where does alice live" }],
        memory_time: "2024-03",
        entities: ["Alice", "Lisbon"],
        created_at: "2024-03-02T10:00:00.000Z",
        updated_at: "2024-03-05T08:30:00.000Z",
        version: 3,
        history: [
          {
            version: 1,
            memory: "Alice lives in Porto.",
            update_type: "conflict",
            archived_memory_id: "old-1",
            created_at: "2024-01-01T00:00:00Z",
          },
          {
            version: 2,
            memory: "Alice moved to Lisbon.",
            update_type: "update",
            archived_memory_id: null,
            created_at: "2024-03-02T10:00:00Z",
            why: "merge",
          },
        ],
        evolve_to: ["future-1"],
        valid_at: "2024-03-01T00:00:00Z",
        invalid_at: null,
        // Fields MemOS or users add that we do not know must survive untouched.
        custom_score: 0.25,
        custom_nested: { a: [1, "two", null, { b: false }], "weird key": "ok" },
        custom_flag: false,
      },
    };

    it("round-trips items exactly, including unknown fields, history, version and validity", async () => {
      const v = randomVector(rng(1));
      await store.addItems([{ item: TextualMemoryItem.parse(full), embedding: v }]);
      const back = await store.getItem(full.id);
      expect(back).toEqual(expectedBack(full));
      expect(back?.metadata).not.toHaveProperty("embedding");
      expect(Array.from((await store.getEmbedding(full.id)) ?? [])).toEqual(Array.from(v));
      expect(store.dimensions).toBe(DIM);
    });

    it("fills schema defaults and keeps items without a vector", async () => {
      await store.addItems([{ item: { id: "min", memory: "minimal", metadata: {} } as TextualMemoryItem }]);
      const back = await store.getItem("min");
      expect(back?.metadata).toMatchObject({
        status: "activated",
        memory_type: "LongTermMemory",
        tags: [],
        version: 1,
        history: [],
      });
      expect(await store.getEmbedding("min")).toBeNull();
    });

    it("uses metadata.embedding as the vector without storing it twice", async () => {
      const v = Array.from(randomVector(rng(2)));
      await store.addItems([{ item: mem("m", "in metadata", { embedding: v }) }]);
      expect((await store.getItem("m"))?.metadata).not.toHaveProperty("embedding");
      expect(Array.from((await store.getEmbedding("m")) ?? [])).toEqual(Array.from(Float32Array.from(v)));
    });

    it("returns null / skips ids that do not exist", async () => {
      await store.addItems([stored("a", "first"), stored("b", "second")]);
      expect(await store.getItem("nope")).toBeNull();
      expect(await store.getEmbedding("nope")).toBeNull();
      expect(ids(await store.getItems(["b", "nope", "a"]))).toEqual(["b", "a"]);
      expect(await store.getItems([])).toEqual([]);
    });

    it("rejects a duplicate id within a batch and writes nothing of the batch", async () => {
      const err = await rejection(
        store.addItems([
          stored("x", "ex one", {}, angled(0)),
          stored("y", "why", {}, angled(1)),
          stored("x", "ex two"),
        ]),
      );
      expect(err.code).toBe("storage");
      expect(await store.count()).toBe(0);
    });

    it("rejects an id that already exists and writes nothing of the batch", async () => {
      await store.addItems([stored("x", "original text", {}, angled(0))]);
      const err = await rejection(
        store.addItems([
          stored("fresh", "zebra fresh words", {}, angled(1)),
          stored("x", "replacement text", {}, angled(2)),
        ]),
      );
      expect(err.code).toBe("storage");
      expect(await store.count()).toBe(1);
      expect(await store.getItem("fresh")).toBeNull();
      expect((await store.getItem("x"))?.memory).toBe("original text");
      expect(await store.keywordSearch("zebra", { k: 5 })).toEqual([]);
      expect(ids(await store.vectorSearch(angled(1), { k: 5 }))).toEqual(["x"]);
    });

    it("rejects invalid items with InvalidInputError", async () => {
      const err = await rejection(
        store.addItems([{ item: { id: "e", memory: "", metadata: {} } as TextualMemoryItem }]),
      );
      expect(err.code).toBe("invalid_input");
      expect(await store.count()).toBe(0);
    });

    it("upserts: inserts new ids, replaces existing ones, keeps the vector unless given", async () => {
      const v1 = angled(0);
      const v2 = angled(Math.PI / 2);
      await store.addItems([
        stored("a", "old walrus text", { tags: ["t1"] }, v1),
        stored("b", "bee", {}, v2),
      ]);
      await store.upsertItems([
        stored("a", "new narwhal text", { tags: ["t2"], status: "archived" }),
        stored("c", "sea", {}, v2),
      ]);
      expect((await store.getItem("a"))?.memory).toBe("new narwhal text");
      expect((await store.getItem("a"))?.metadata.tags).toEqual(["t2"]);
      expect(Array.from((await store.getEmbedding("a")) ?? [])).toEqual(Array.from(v1));
      expect(await store.count()).toBe(3);
      expect(ids(await store.keywordSearch("walrus", { k: 5 }))).toEqual([]);
      expect(ids(await store.keywordSearch("narwhal", { k: 5 }))).toEqual(["a"]);
      // The kept vector follows the new metadata in filtered search.
      expect(ids(await store.vectorSearch(v1, { k: 5, filter: { status: "activated" } }))).not.toContain("a");
      expect(ids(await store.vectorSearch(v1, { k: 1, filter: { status: "archived" } }))).toEqual(["a"]);
      // A given vector replaces the old one.
      await store.upsertItems([stored("a", "new narwhal text", {}, v2)]);
      expect(Array.from((await store.getEmbedding("a")) ?? [])).toEqual(Array.from(v2));
    });

    it("updates an item's text, metadata and vector; NotFoundError when absent", async () => {
      await store.addItems([
        stored("a", "the old platypus", { user_id: "u1" }, angled(0)),
        stored("b", "other", { user_id: "u1" }, angled(0.3)),
      ]);
      const updated = mem("a", "the new echidna", { user_id: "u1", status: "archived", version: 2 });
      await store.updateItem("a", updated);
      expect(await store.getItem("a")).toEqual(expectedBack(updated));
      expect(ids(await store.keywordSearch("platypus", { k: 5 }))).toEqual([]);
      expect(ids(await store.keywordSearch("echidna", { k: 5 }))).toEqual(["a"]);
      expect(ids(await store.vectorSearch(angled(0), { k: 5, filter: { status: "activated" } }))).toEqual([
        "b",
      ]);
      await store.updateItem("a", updated, angled(Math.PI));
      expect(ids(await store.vectorSearch(angled(Math.PI), { k: 1 }))).toEqual(["a"]);
      const err = await rejection(store.updateItem("missing", mem("missing", "x")));
      expect(err.code).toBe("not_found");
      expect(await store.getItem("missing")).toBeNull();
    });

    it("deletes items with their vectors, keyword rows and edges", async () => {
      await store.addItems([
        stored("a", "aardvark", {}, angled(0)),
        stored("b", "badger", {}, angled(0.1)),
        stored("c", "cheetah", {}, angled(0.2)),
      ]);
      await store.addEdges([
        { source: "a", target: "b", type: "RELATE_TO" },
        { source: "b", target: "c", type: "CAUSE" },
        { source: "c", target: "a", type: "FOLLOWS" },
      ]);
      expect(await store.deleteItems(["b", "nope", "b"])).toBe(1);
      expect(await store.getItem("b")).toBeNull();
      expect(await store.getEmbedding("b")).toBeNull();
      expect(ids(await store.vectorSearch(angled(0.1), { k: 10 }))).not.toContain("b");
      expect(await store.keywordSearch("badger", { k: 10 })).toEqual([]);
      expect((await store.getEdges("a")).map(edgeKey)).toEqual(["c>FOLLOWS>a"]);
      expect(await store.neighbors("c")).toEqual(["a"]);
      expect(await store.count()).toBe(2);
      expect(await store.deleteItems([])).toBe(0);
    });

    it("deleteWhere removes what matches (everything without a filter)", async () => {
      await store.addItems([
        stored("a", "one", { user_id: "u1" }, angled(0)),
        stored("b", "two", { user_id: "u2" }, angled(1)),
        stored("c", "three", { user_id: "u1" }),
      ]);
      expect(await store.deleteWhere({ user_id: "u1" })).toBe(2);
      expect(ids(await store.listItems())).toEqual(["b"]);
      expect(ids(await store.vectorSearch(angled(0), { k: 5 }))).toEqual(["b"]);
      expect(await store.deleteWhere()).toBe(1);
      expect(await store.count()).toBe(0);
      expect(await store.vectorSearch(angled(0), { k: 5 })).toEqual([]);
      // The store stays usable after being emptied.
      await store.addItems([stored("d", "four", {}, angled(2))]);
      expect(ids(await store.vectorSearch(angled(2), { k: 5 }))).toEqual(["d"]);
    });

    it("counts and lists with filters, order and stable paging", async () => {
      const batch: StoredItem[] = [];
      for (let i = 0; i < 25; i++) {
        const day = String(1 + (i % 5)).padStart(2, "0");
        batch.push(
          stored(`id-${String((i * 7) % 25).padStart(2, "0")}`, `memory ${i}`, {
            user_id: i % 2 ? "odd" : "even",
            created_at: `2025-01-${day}T00:00:00.000Z`,
            updated_at: `2025-02-${String(25 - i).padStart(2, "0")}T00:00:00.000Z`,
          }),
        );
      }
      await store.addItems(batch);
      expect(await store.count()).toBe(25);
      expect(await store.count({ user_id: "odd" })).toBe(12);
      const all = await store.listItems();
      const byCreated = [...all].sort((x, y) =>
        x.metadata.created_at === y.metadata.created_at
          ? x.id < y.id
            ? -1
            : 1
          : (x.metadata.created_at ?? "") < (y.metadata.created_at ?? "")
            ? -1
            : 1,
      );
      expect(ids(all)).toEqual(ids(byCreated));
      const paged: string[] = [];
      for (let offset = 0; offset < 30; offset += 7) {
        const page = await store.listItems({ limit: 7, offset });
        expect(page.length).toBeLessThanOrEqual(7);
        paged.push(...ids(page));
      }
      expect(paged).toEqual(ids(all));
      const desc = await store.listItems({ order: "desc" });
      expect(ids(desc)).toEqual(ids(all).reverse());
      const byUpdated = await store.listItems({ orderBy: "updated_at", limit: 3 });
      expect(byUpdated.map((x) => x.metadata.updated_at)).toEqual([
        "2025-02-01T00:00:00.000Z",
        "2025-02-02T00:00:00.000Z",
        "2025-02-03T00:00:00.000Z",
      ]);
      const odd = await store.listItems({ filter: { user_id: "odd" }, limit: 100 });
      expect(odd).toHaveLength(12);
      expect(odd.every((x) => x.metadata.user_id === "odd")).toBe(true);
      expect(await store.listItems({ limit: 0 })).toEqual([]);
    });
  });
}
