import { beforeEach, expect } from "vitest";
import type { MemoryStore } from "../../core/interfaces/store.js";
import { mulberry32 as rng } from "../../core/math/random.js";
import { type MemoryEdge, TextualMemoryExport } from "../../core/schema/memory.js";
import {
  angled,
  type ConformanceContext,
  DIM,
  edgeKey,
  ids,
  randomVector,
  rejection,
  sorted,
  stored,
} from "./helpers.js";

/** Export and import in the MemOS textual_memory.json shape. */
export function portabilityTests({ describe, it, current, another }: ConformanceContext): void {
  describe("export and import", () => {
    let store: MemoryStore;
    beforeEach(() => {
      store = current();
    });

    async function seed() {
      const rand = rng(99);
      const items = ["p", "q", "r", "s"].map((id, i) =>
        stored(
          id,
          `memory ${id} about topic${i}`,
          { user_id: "u", tags: [`t${i}`], extra_field: { i } },
          randomVector(rand),
        ),
      );
      items.push(stored("novec", "memory without vector", { user_id: "u" }));
      await store.addItems(items);
      await store.addEdges([
        { source: "p", target: "q", type: "PARENT" },
        { source: "q", target: "r", type: "RELATE_TO", confidence: 0.9 },
        { source: "s", target: "p", type: "MERGED_TO" },
      ] as MemoryEdge[]);
      return items;
    }

    it("exports the MemOS textual_memory.json shape with embeddings in metadata", async () => {
      await seed();
      const data = await store.exportAll();
      expect(TextualMemoryExport.safeParse(data).success).toBe(true);
      expect(data.total_nodes).toBe(5);
      expect(data.total_edges).toBe(3);
      expect(data.nodes).toHaveLength(5);
      expect(data.edges).toHaveLength(3);
      const p = data.nodes.find((n) => n.id === "p");
      expect(Array.isArray(p?.metadata.embedding)).toBe(true);
      expect(p?.metadata.embedding).toHaveLength(DIM);
      expect(Array.from((await store.getEmbedding("p")) ?? [])).toEqual(p?.metadata.embedding);
      expect(data.nodes.find((n) => n.id === "novec")?.metadata.embedding ?? null).toBeNull();
      expect(data.edges.find((e) => e.source === "q")).toEqual({
        source: "q",
        target: "r",
        type: "RELATE_TO",
        confidence: 0.9,
      });
    });

    it("imports an export into a fresh store with nodes, edges and vectors intact", async () => {
      await seed();
      const data = JSON.parse(JSON.stringify(await store.exportAll())) as TextualMemoryExport;
      const fresh = await another();
      await fresh.importAll(data);
      expect(sorted(ids(await fresh.listItems()))).toEqual(sorted(ids(await store.listItems())));
      for (const id of ["p", "q", "r", "s", "novec"]) {
        expect(await fresh.getItem(id)).toEqual(await store.getItem(id));
        expect(await fresh.getEmbedding(id)).toEqual(await store.getEmbedding(id));
      }
      expect((await fresh.exportAll()).edges.map(edgeKey).sort()).toEqual(data.edges.map(edgeKey).sort());
      const q = randomVector(rng(11));
      expect(await fresh.vectorSearch(q, { k: 3 })).toEqual(await store.vectorSearch(q, { k: 3 }));
      expect(ids(await fresh.keywordSearch("topic2", { k: 3 }))).toEqual(["r"]);
      expect(fresh.dimensions).toBe(DIM);
    });

    it("merges or replaces", async () => {
      await seed();
      const data = await store.exportAll();
      const target = await another();
      await target.addItems([stored("local", "only here", {}, randomVector(rng(5))), stored("p", "stale p")]);
      await target.importAll(data, { mode: "merge" });
      expect(await target.count()).toBe(6);
      expect((await target.getItem("p"))?.memory).toBe("memory p about topic0");
      await target.importAll(data, { mode: "replace" });
      expect(await target.count()).toBe(5);
      expect(await target.getItem("local")).toBeNull();
      expect(await target.vectorSearch(randomVector(rng(5)), { k: 10 })).toHaveLength(4);
    });

    it("keeps memories whose embedding has another dimension, without a vector", async () => {
      await store.addItems([stored("base", "fixes the dimension", {}, angled(0))]);
      await store.importAll({
        nodes: [
          { id: "fits", memory: "right size", metadata: { embedding: Array.from(angled(1)) } },
          { id: "other", memory: "wrong size", metadata: { embedding: [0.1, 0.2, 0.3] } },
        ],
        edges: [{ source: "fits", target: "other", type: "RELATE_TO" }],
      } as unknown as TextualMemoryExport);
      expect(await store.getEmbedding("other")).toBeNull();
      expect((await store.getItem("other"))?.memory).toBe("wrong size");
      expect(Array.from((await store.getEmbedding("fits")) ?? [])).toEqual(Array.from(angled(1)));
      expect(await store.neighbors("fits")).toEqual(["other"]);
    });

    it("rejects invalid import data with InvalidInputError and imports nothing", async () => {
      const err = await rejection(
        store.importAll({
          nodes: [
            { id: "ok", memory: "fine", metadata: {} },
            { id: "bad", metadata: {} },
          ],
        } as unknown as TextualMemoryExport),
      );
      expect(err.code).toBe("invalid_input");
      const err2 = await rejection(
        store.importAll({
          nodes: [{ id: "ok", memory: "fine", metadata: {} }],
          edges: [{ source: "ok", target: "ghost", type: "RELATE_TO" }],
        } as unknown as TextualMemoryExport),
      );
      expect(err2.code).toBe("invalid_input");
      expect(await store.count()).toBe(0);
    });
  });
}
