import { describe, expect, it } from "vitest";
import { fuseRrf } from "./rrf.js";

describe("fuseRrf", () => {
  it("ranks an item found by both paths above items found by one", () => {
    const fused = fuseRrf([
      {
        path: "vector",
        results: [
          { id: "a", score: 0.9 },
          { id: "b", score: 0.8 },
        ],
      },
      {
        path: "keyword",
        results: [
          { id: "c", score: 12 },
          { id: "b", score: 3 },
        ],
      },
    ]);
    expect(fused[0]?.id).toBe("b");
    expect(fused[0]?.paths.sort()).toEqual(["keyword", "vector"]);
    expect(fused.map((f) => f.id).sort()).toEqual(["a", "b", "c"]);
  });

  it("respects path weights", () => {
    const fused = fuseRrf([
      { path: "vector", results: [{ id: "a", score: 1 }], weight: 1 },
      { path: "keyword", results: [{ id: "b", score: 1 }], weight: 2 },
    ]);
    expect(fused.map((f) => f.id)).toEqual(["b", "a"]);
  });

  it("takes explicit ranks and lists each path once", () => {
    const fused = fuseRrf([
      { path: "vector", results: [{ id: "a", score: 0.9 }] },
      { path: "working", results: [{ id: "w", score: 0.5, rank: 3 }] },
      { path: "keyword", results: [{ id: "a", score: 3 }] },
      { path: "keyword", results: [{ id: "a", score: 2 }] },
    ]);
    expect(fused.find((f) => f.id === "w")?.score).toBeCloseTo(1 / 64);
    expect(fused.find((f) => f.id === "a")?.paths).toEqual(["vector", "keyword"]);
  });
});
