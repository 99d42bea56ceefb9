import { describe, expect, it } from "vitest";
import type { MemoryEdge, TextualMemoryItem } from "../core/schema/memory.js";
import { checkGraphConsistency, checkGraphData, resolveMerged } from "./consistency.js";
import { mergeDuplicates } from "./dedup.js";
import { item, newStore, put, tableEmbedder } from "./test-helpers.js";

const T = "2024-01-01T00:00:00.000Z";
const mergedAway = (id: string, into?: string): TextualMemoryItem =>
  item(
    `archived ${id}`,
    T,
    {
      status: "archived",
      version: 2,
      history: [
        {
          version: 1,
          memory: `archived ${id}`,
          update_type: "merge",
          created_at: T,
          ...(into ? { merged_into: into } : {}),
        },
      ],
    },
    id,
  );

describe("checkGraphConsistency", () => {
  it("passes a store after merges and reports no problems", async () => {
    const store = await newStore();
    const embedder = tableEmbedder({});
    const a = item("Same text.", T, {}, "a");
    const b = item("same text.", "2024-02-01T00:00:00.000Z", {}, "b");
    await put(store, embedder, [a, b]);
    await mergeDuplicates(store, b, a);
    expect(await checkGraphConsistency(store)).toEqual({ ok: true, problems: [] });
    expect((await resolveMerged(store, "b"))?.id).toBe("a");
    expect((await resolveMerged(store, "a"))?.id).toBe("a");
    expect(await resolveMerged(store, "nope")).toBeNull();
    await store.close();
  });

  it("catches a dangling edge", async () => {
    const edges: MemoryEdge[] = [
      { source: "a", target: "ghost", type: "RELATE_TO" },
      { source: "gone", target: "a", type: "FOLLOWS" },
    ];
    const r = await checkGraphConsistency({
      exportAll: async () => ({ nodes: [item("x", T, {}, "a")], edges }),
    });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      "edge a -RELATE_TO-> ghost: target ghost does not exist",
      "edge gone -FOLLOWS-> a: source gone does not exist",
    ]);
  });

  it("catches a node archived by a merge without a MERGED_TO edge, or with one to the wrong node", () => {
    const live = item("live", T, {}, "live");
    const other = item("other", T, {}, "other");
    const r = checkGraphData({
      nodes: [live, other, mergedAway("m1", "live"), mergedAway("m2"), mergedAway("m3", "live")],
      edges: [{ source: "m3", target: "other", type: "MERGED_TO" }],
    });
    expect(r.problems).toEqual([
      "node m1: archived by a merge but has no MERGED_TO edge to an existing node",
      "node m2: archived by a merge but has no MERGED_TO edge to an existing node",
      "node m3: merged into live but has no MERGED_TO edge to it",
    ]);
  });

  it("does not flag a merge survivor that was archived later for another reason", () => {
    const survivor = item(
      "kept then evicted",
      T,
      {
        status: "archived",
        version: 3,
        history: [
          {
            version: 1,
            memory: "kept then evicted",
            update_type: "merge",
            archived_memory_id: "d",
            created_at: T,
          },
          { version: 2, memory: "kept then evicted", update_type: "evict", created_at: T },
        ],
      },
      "s",
    );
    expect(checkGraphData({ nodes: [survivor], edges: [] }).ok).toBe(true);
  });

  it("catches missing evolve_to ids and MERGED_TO cycles", () => {
    const fast = item("fast", T, { status: "deleted", evolve_to: ["fine-1", "missing"] }, "fast");
    const fine = item("fine", T, {}, "fine-1");
    const r = checkGraphData({
      nodes: [fast, fine, mergedAway("x", "y"), mergedAway("y", "x")],
      edges: [
        { source: "x", target: "y", type: "MERGED_TO" },
        { source: "y", target: "x", type: "MERGED_TO" },
      ],
    });
    expect(r.problems).toEqual(["node fast: evolve_to missing does not exist", "MERGED_TO cycle through x"]);
  });
});
