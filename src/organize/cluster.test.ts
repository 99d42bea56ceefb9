import { describe, expect, it } from "vitest";
import { clusterByCosine } from "./cluster.js";
import { relationEdges } from "./relations.js";

const v = (...xs: number[]) => Float32Array.from(xs);

describe("clusterByCosine", () => {
  const points = [v(1, 0, 0), v(0, 1, 0), v(0.95, 0.1, 0), v(0.9, 0, 0.1), v(0, 0.97, 0.1), v(0, 0, 1)];

  it("groups points around the best-connected seed, deterministically", () => {
    const opts = { threshold: 0.9, minSize: 2, maxSize: 10 };
    const first = clusterByCosine(points, opts);
    expect(first).toEqual([
      [0, 2, 3],
      [1, 4],
    ]);
    expect(clusterByCosine(points, opts)).toEqual(first);
  });

  it("drops clusters below minSize and splits at maxSize", () => {
    expect(clusterByCosine(points, { threshold: 0.9, minSize: 3, maxSize: 10 })).toEqual([[0, 2, 3]]);
    expect(clusterByCosine(points, { threshold: 0.9, minSize: 2, maxSize: 2 })).toEqual([
      [0, 2],
      [1, 4],
    ]);
    expect(clusterByCosine([], { threshold: 0.9, minSize: 2, maxSize: 2 })).toEqual([]);
  });
});

describe("relationEdges", () => {
  it("keeps valid index pairs only", () => {
    expect(
      relationEdges(
        [
          { source: 0, target: 1, relation: "CAUSE" },
          { source: 1, target: 1, relation: "CAUSE" },
          { source: 1, target: 2, relation: "RELATE_TO" },
          { source: 0, target: 1, relation: "CAUSE" },
          { source: 0, target: 1, relation: "CONDITION" },
        ],
        ["a", "b"],
      ),
    ).toEqual([
      { source: "a", target: "b", type: "CAUSE" },
      { source: "a", target: "b", type: "CONDITION" },
    ]);
  });
});
