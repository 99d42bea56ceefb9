import { describe, expect, it } from "vitest";
import type { ScoredId } from "../../core/interfaces/store.js";
import { normalizeFilter } from "../../core/schema/filter.js";
import { pushDownConjuncts } from "./filter-pushdown.js";
import {
  type ApproximateIndex,
  annFilterPolicy,
  type CandidateRound,
  KEYWORD_OVERFETCH,
  keywordFilterPolicy,
  rankByDistance,
  searchKeywords,
  searchVectors,
  similarity,
  type VectorSearchPrimitives,
} from "./search-strategy.js";

const hits = (n: number, prefix = "h"): ScoredId[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, score: 1 - i / 1000 }));

/** Primitives that record every call and answer from fixed candidate counts. */
function vectorStore(options: {
  annSize?: number;
  /** How many ANN candidates pass the filter per fetched candidate. */
  annPassRate?: number;
  /** Vectors KNN can see, and how many of them pass the filter. */
  knnRows?: number;
  knnPassing?: number;
  pushdownExact?: boolean;
  maxK?: number;
}) {
  const calls: string[] = [];
  const { annSize, annPassRate = 1, knnRows = 1000, knnPassing = 1000 } = options;
  const ann: ApproximateIndex | undefined =
    annSize === undefined
      ? undefined
      : {
          size: annSize,
          search: (count, k) => {
            calls.push(`ann:${count}`);
            return hits(Math.min(k, Math.floor(count * annPassRate)), "a");
          },
        };
  const p: VectorSearchPrimitives = {
    maxK: options.maxK ?? 4096,
    pushdownExact: options.pushdownExact ?? false,
    scanAll: (k) => {
      calls.push(`scan:${k}`);
      return hits(k, "s");
    },
    approximate: () => ann,
    knn: (fetch, k): CandidateRound<ScoredId> => {
      calls.push(`knn:${fetch}`);
      const seen = Math.min(fetch, knnRows);
      const passing = Math.floor((seen * knnPassing) / knnRows);
      return { rows: hits(Math.min(k, passing), "k"), exhausted: seen < fetch };
    },
    exactFiltered: (k) => {
      calls.push(`exact:${k}`);
      return hits(Math.min(k, knnPassing), "e");
    },
  };
  return { p, calls };
}

describe("searchVectors", () => {
  it("answers k beyond the KNN limit by a full scan", () => {
    const { p, calls } = vectorStore({ annSize: 50_000, maxK: 100 });
    expect(searchVectors(500, false, p)).toHaveLength(500);
    expect(calls).toEqual(["scan:500"]);
  });

  it("serves from the approximate index when its candidates fill k", () => {
    const { p, calls } = vectorStore({ annSize: 50_000 });
    const out = searchVectors(10, false, p);
    expect(out.map((h) => h.id)).toEqual(hits(10, "a").map((h) => h.id));
    expect(calls).toEqual(["ann:100"]); // max(2 x 10, 100)
  });

  it("grows the approximate fetch once under a selective filter, then falls back to exact KNN", () => {
    // 1 in 100 candidates passes: 100 and 400 candidates give 1 and 4, never 10.
    const { p, calls } = vectorStore({
      annSize: 50_000,
      annPassRate: 0.01,
      knnRows: 50_000,
      knnPassing: 500,
    });
    const out = searchVectors(10, true, p);
    expect(calls).toEqual(["ann:100", "ann:400", "knn:50", "exact:10"]);
    expect(out.map((h) => h.id)).toEqual(hits(10, "e").map((h) => h.id));
  });

  it("leaves an approximate index that holds too few candidates for the exact path at once", () => {
    const { p, calls } = vectorStore({ annSize: 40, annPassRate: 0.1, knnRows: 40, knnPassing: 6 });
    const out = searchVectors(10, true, p);
    // 100 candidates wanted, 40 held: no growth; exact KNN saw every vector, so its 6 are all.
    expect(calls).toEqual(["ann:40", "knn:50"]);
    expect(out).toHaveLength(6);
  });

  it("fetches exactly k when the whole filter runs inside the KNN query", () => {
    const { p, calls } = vectorStore({ pushdownExact: true });
    expect(searchVectors(7, true, p)).toHaveLength(7);
    expect(calls).toEqual(["knn:7"]);
  });

  it("over-fetches KNN candidates for a filter that runs afterwards, within the KNN limit", () => {
    const { p, calls } = vectorStore({ maxK: 300 });
    searchVectors(10, true, p);
    searchVectors(100, true, p);
    expect(calls).toEqual(["knn:50", "knn:300"]); // max(5 x 10, 50); min(5 x 100, 300)
  });

  it("trusts an exhausted exact KNN and ranks the filtered rows exactly when candidates run short", () => {
    const dry = vectorStore({ knnRows: 30, knnPassing: 3 });
    expect(searchVectors(10, true, dry.p)).toHaveLength(3);
    expect(dry.calls).toEqual(["knn:50"]);
    const short = vectorStore({ knnRows: 10_000, knnPassing: 100 });
    expect(searchVectors(10, true, short.p)).toHaveLength(10);
    expect(short.calls).toEqual(["knn:50", "exact:10"]);
  });
});

describe("searchKeywords", () => {
  function keywordStore(matches: { AND: number; OR: number }, passRate = 1) {
    const calls: string[] = [];
    return {
      calls,
      primitives: (terms: string[], large: boolean) => ({
        terms,
        large,
        rank: (_t: string[], op: "AND" | "OR", fetch: number, k: number) => {
          calls.push(`${op}:${fetch}`);
          const seen = Math.min(fetch, matches[op]);
          return { rows: hits(Math.min(k, Math.floor(seen * passRate)), op), exhausted: seen < fetch };
        },
        rankAll: (_t: string[], op: "AND" | "OR", k: number) => {
          calls.push(`${op}:all`);
          return hits(Math.min(k, Math.floor(matches[op] * passRate)), op);
        },
      }),
    };
  }

  it("finds nothing without terms", () => {
    const s = keywordStore({ AND: 5, OR: 5 });
    expect(searchKeywords(5, false, s.primitives([], true))).toEqual([]);
    expect(s.calls).toEqual([]);
  });

  it("ranks memories holding every term first in a large collection, any term when too few do", () => {
    const enough = keywordStore({ AND: 20, OR: 900 });
    expect(searchKeywords(10, false, enough.primitives(["tea", "lisbon"], true))[0]?.id).toBe("AND0");
    expect(enough.calls).toEqual(["AND:10"]);
    const few = keywordStore({ AND: 3, OR: 900 });
    expect(searchKeywords(10, false, few.primitives(["tea", "lisbon"], true))[0]?.id).toBe("OR0");
    expect(few.calls).toEqual(["AND:10", "OR:10"]);
    const small = keywordStore({ AND: 20, OR: 900 });
    searchKeywords(10, false, small.primitives(["tea", "lisbon"], false));
    expect(small.calls).toEqual(["OR:10"]);
  });

  it("over-fetches under a filter, and ranks every match when the filter leaves fewer than k", () => {
    const s = keywordStore({ AND: 0, OR: 5000 }, 0.001);
    expect(searchKeywords(10, true, s.primitives(["tea"], false))).toHaveLength(5);
    expect(s.calls).toEqual(["OR:500", "OR:all"]); // max(20 x 10, 500)
  });
});

describe("scores", () => {
  it("converts cosine distance to similarity, clamped to [-1, 1]", () => {
    expect(similarity(0)).toBe(1);
    expect(similarity(1.5)).toBe(-0.5);
    expect(similarity(-1e-7)).toBe(1);
    expect(similarity(2.0000001)).toBe(-1);
  });

  it("merges candidates nearest first, ties by id in UTF-8 byte order as SQL's ORDER BY id", () => {
    // UTF-16 puts the emoji (a surrogate pair, 0xD83D...) before U+FF01; UTF-8 bytes do not.
    const ranked = rankByDistance(
      [
        { id: "b", distance: 0.3 },
        { id: "\u{1F600}", distance: 0.1 },
        { id: "\uFF01", distance: 0.1 },
        { id: "a", distance: 0.3 },
      ],
      3,
    );
    expect(ranked.map((r) => r.id)).toEqual(["\uFF01", "\u{1F600}", "a"]);
    expect(ranked[0]?.score).toBeCloseTo(0.9, 12);
  });
});

describe("pushDownConjuncts", () => {
  const userOnly = (c: { field: string; value: unknown }) =>
    c.field === "user_id" ? { pushed: `user_id=${String(c.value)}`, exact: c.value !== null } : undefined;

  it("pushes the supported top-level conjuncts and says whether they are the whole filter", () => {
    expect(pushDownConjuncts(undefined, userOnly)).toEqual({ pushed: [], exact: true });
    expect(pushDownConjuncts(normalizeFilter({ user_id: "u1" }), userOnly)).toEqual({
      pushed: ["user_id=u1"],
      exact: true,
    });
    expect(pushDownConjuncts(normalizeFilter({ user_id: "u1", key: "k" }), userOnly)).toEqual({
      pushed: ["user_id=u1"],
      exact: false,
    });
    expect(pushDownConjuncts(normalizeFilter({ user_id: null }), userOnly).exact).toBe(false);
  });

  it("never pushes inside an `or`, whose parts are not implied by the filter", () => {
    const node = normalizeFilter({ or: [{ user_id: "u1" }, { user_id: "u2" }] });
    expect(pushDownConjuncts(node, userOnly)).toEqual({ pushed: [], exact: false });
    const nested = normalizeFilter({ and: [{ user_id: "u1" }, { and: [{ user_id: "u2" }] }] });
    expect(pushDownConjuncts(nested, userOnly).pushed).toEqual(["user_id=u1", "user_id=u2"]);
  });
});

describe("annFilterPolicy", () => {
  it("divides the unfiltered margin by the pass rate, between the unfiltered and filtered factors", () => {
    expect(annFilterPolicy(undefined).factor).toBe(8);
    expect(annFilterPolicy(0).factor).toBe(8);
    expect(annFilterPolicy(1).factor).toBe(2);
    expect(annFilterPolicy(0.5).factor).toBe(4);
    expect(annFilterPolicy(0.3).factor).toBe(7);
    expect(annFilterPolicy(0.1).factor).toBe(8);
    expect(annFilterPolicy(1).rounds).toBe(2);
  });
});

describe("keywordFilterPolicy", () => {
  it("fetches twice what the pass rate needs, and the full over-fetch for a filter not seen yet", () => {
    expect(keywordFilterPolicy(undefined)).toBe(KEYWORD_OVERFETCH);
    expect(keywordFilterPolicy(1)).toMatchObject({ factor: 2, min: 0 });
    expect(keywordFilterPolicy(0.25)).toMatchObject({ factor: 8, min: 0 });
    expect(keywordFilterPolicy(0.05)).toBe(KEYWORD_OVERFETCH);
  });
});
