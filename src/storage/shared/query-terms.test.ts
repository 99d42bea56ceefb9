import { describe, expect, it } from "vitest";
import { PRUNE_MIN_DOCS, pruneCommonTerms } from "./query-terms.js";

describe("common-term pruning", () => {
  const N = PRUNE_MIN_DOCS * 10;
  const df = (counts: Record<string, number>) => (t: string) => counts[t];

  it("drops terms in more than 20% of the memories when a rarer one remains", () => {
    expect(
      pruneCommonTerms(["tea", "like", "day"], df({ tea: 30, like: N * 0.5, day: N * 0.21 }), N),
    ).toEqual(["tea"]);
    expect(pruneCommonTerms(["tea", "like"], df({ tea: 30, like: N * 0.2 }), N)).toEqual(["tea", "like"]);
  });

  it("keeps the query whole when only common terms, or only unknown ones, would remain", () => {
    expect(pruneCommonTerms(["like", "day"], df({ like: N * 0.5, day: N * 0.3 }), N)).toEqual([
      "like",
      "day",
    ]);
    expect(pruneCommonTerms(["zzz", "like"], df({ like: N * 0.5 }), N)).toEqual(["zzz", "like"]);
  });

  it("prunes nothing in a small cube", () => {
    expect(pruneCommonTerms(["tea", "like"], df({ tea: 1, like: 90 }), 100)).toEqual(["tea", "like"]);
  });
});
