import { beforeEach, expect } from "vitest";
import type { MemoryStore } from "../../core/interfaces/store.js";
import type { MemoryEdge } from "../../core/schema/memory.js";
import { type ConformanceContext, edgeKey, ids, rejection, sorted, stored } from "./helpers.js";

/** Edges: neighbours, directions and types, subgraphs, cascades. */
export function edgeTests({ describe, it, current }: ConformanceContext): void {
  describe("edges", () => {
    let store: MemoryStore;
    beforeEach(() => {
      store = current();
    });

    async function graph() {
      await store.addItems(["a", "b", "c", "d", "e", "f"].map((id) => stored(id, `node ${id}`)));
      await store.addEdges([
        { source: "a", target: "b", type: "RELATE_TO", weight: 0.5 },
        { source: "c", target: "a", type: "CAUSE" },
        { source: "a", target: "d", type: "PARENT" },
        { source: "b", target: "e", type: "FOLLOWS" },
        { source: "e", target: "f", type: "RELATE_TO" },
      ] as MemoryEdge[]);
    }

    it("returns neighbors and edges by direction and type, keeping edge fields", async () => {
      await graph();
      expect(sorted(await store.neighbors("a", { direction: "out" }))).toEqual(["b", "d"]);
      expect(await store.neighbors("a", { direction: "in" })).toEqual(["c"]);
      expect(sorted(await store.neighbors("a"))).toEqual(["b", "c", "d"]);
      expect(sorted(await store.neighbors("a", { direction: "both" }))).toEqual(["b", "c", "d"]);
      expect(await store.neighbors("a", { types: ["CAUSE"] })).toEqual(["c"]);
      expect(sorted(await store.neighbors("a", { direction: "out", types: ["PARENT", "CAUSE"] }))).toEqual([
        "d",
      ]);
      expect(await store.neighbors("f", { direction: "out" })).toEqual([]);
      expect(await store.neighbors("nope")).toEqual([]);
      const out = await store.getEdges("a", { direction: "out", types: ["RELATE_TO"] });
      expect(out).toEqual([{ source: "a", target: "b", type: "RELATE_TO", weight: 0.5 }]);
      expect((await store.getEdges("a")).map(edgeKey).sort()).toEqual([
        "a>PARENT>d",
        "a>RELATE_TO>b",
        "c>CAUSE>a",
      ]);
    });

    it("adds an edge once, removes edges and reports how many", async () => {
      await graph();
      await store.addEdges([{ source: "a", target: "b", type: "RELATE_TO" }]);
      expect((await store.getEdges("a", { direction: "out", types: ["RELATE_TO"] })).length).toBe(1);
      await store.addEdges([{ source: "a", target: "b", type: "CONFLICT" }]);
      expect((await store.getEdges("a", { direction: "out" })).length).toBe(3);
      expect(
        await store.removeEdges([
          { source: "a", target: "b", type: "CONFLICT" },
          { source: "a", target: "b", type: "MERGED_TO" },
          { source: "b", target: "e", type: "FOLLOWS" },
        ]),
      ).toBe(2);
      expect(await store.neighbors("e", { direction: "in" })).toEqual([]);
    });

    it("refuses edges to missing memories and writes none of the batch", async () => {
      await graph();
      await rejection(
        store.addEdges([
          { source: "a", target: "f", type: "INFERS" },
          { source: "a", target: "ghost", type: "RELATE_TO" },
        ]),
      );
      expect(await store.neighbors("f", { direction: "in" })).toEqual(["e"]);
      const err = await rejection(
        store.addEdges([{ source: "a", target: "b", type: "NOT_A_TYPE" } as unknown as MemoryEdge]),
      );
      expect(err.code).toBe("invalid_input");
    });

    it("returns subgraphs by depth (both directions), with the edges among their nodes", async () => {
      await graph();
      const d0 = await store.subgraph(["a"], 0);
      expect(ids(d0.nodes)).toEqual(["a"]);
      expect(d0.edges).toEqual([]);
      const d1 = await store.subgraph(["a"], 1);
      expect(sorted(ids(d1.nodes))).toEqual(["a", "b", "c", "d"]);
      expect(d1.edges.map(edgeKey).sort()).toEqual(["a>PARENT>d", "a>RELATE_TO>b", "c>CAUSE>a"]);
      const d2 = await store.subgraph(["a"], 2);
      expect(sorted(ids(d2.nodes))).toEqual(["a", "b", "c", "d", "e"]);
      expect(d2.edges.map(edgeKey).sort()).toEqual([
        "a>PARENT>d",
        "a>RELATE_TO>b",
        "b>FOLLOWS>e",
        "c>CAUSE>a",
      ]);
      const d9 = await store.subgraph(["a", "missing"], 9);
      expect(sorted(ids(d9.nodes))).toEqual(["a", "b", "c", "d", "e", "f"]);
      expect(d9.edges).toHaveLength(5);
      expect(d9.nodes.find((n) => n.id === "a")).toEqual(await store.getItem("a"));
      const typed = await store.subgraph(["a"], 3, { types: ["RELATE_TO", "FOLLOWS"] });
      expect(sorted(ids(typed.nodes))).toEqual(["a", "b", "e", "f"]);
      expect(typed.edges.map(edgeKey).sort()).toEqual(["a>RELATE_TO>b", "b>FOLLOWS>e", "e>RELATE_TO>f"]);
      const two = await store.subgraph(["c", "f"], 1);
      expect(sorted(ids(two.nodes))).toEqual(["a", "c", "e", "f"]);
      expect(two.edges.map(edgeKey).sort()).toEqual(["c>CAUSE>a", "e>RELATE_TO>f"]);
      expect(await store.subgraph([], 2)).toEqual({ nodes: [], edges: [] });
    });

    it("drops edges when either end is deleted", async () => {
      await graph();
      await store.deleteItems(["b"]);
      expect(sorted(await store.neighbors("a"))).toEqual(["c", "d"]);
      expect(await store.neighbors("e")).toEqual(["f"]);
      const g = await store.subgraph(["a"], 5);
      expect(sorted(ids(g.nodes))).toEqual(["a", "c", "d"]);
      await store.deleteWhere({ memory: "node d" });
      expect(await store.neighbors("a")).toEqual(["c"]);
      expect((await store.exportAll()).total_edges).toBe(2);
    });
  });
}
