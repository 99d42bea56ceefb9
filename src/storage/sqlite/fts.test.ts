import { describe, expect, it } from "vitest";
import { buildMatchExpression, ftsColumns, PRUNE_MIN_DOCS, pruneCommonTerms, tokenize } from "./fts.js";

describe("keyword query building", () => {
  it("turns text into quoted, OR-ed, lower-cased distinct terms", () => {
    expect(buildMatchExpression("Green TEA, green tea!")).toBe('"green" OR "tea"');
  });

  it("neutralises FTS5 syntax", () => {
    for (const q of ['"', "NEAR(a b", "a AND b", "-x", "x*", "col:x", "^x", "(x)", "x OR", "'x'"]) {
      const expr = buildMatchExpression(q);
      if (expr === null) continue;
      // Only quoted terms joined by OR remain.
      expect(expr).toMatch(/^"[^"]+"( OR "[^"]+")*$/);
    }
    expect(buildMatchExpression("NEAR(coffee tea")).toBe('"near" OR "coffee" OR "tea"');
  });

  it("drops function words unless nothing else is left", () => {
    expect(buildMatchExpression("what is the capital of France")).toBe('"capital" OR "france"');
    expect(buildMatchExpression("to be or not to be")).toBe('"to" OR "be" OR "or" OR "not"');
  });

  it("returns null when there is no word at all", () => {
    for (const q of ["", "   ", "!!!", '"" -- **', "\u0000"]) expect(buildMatchExpression(q)).toBeNull();
  });

  it("keeps letters and digits of any script, and caps the number of terms", () => {
    expect(tokenize("Café 北京 2024 naïve")).toEqual(["café", "北京", "2024", "naïve"]);
    const many = Array.from({ length: 200 }, (_, i) => `w${i}`).join(" ");
    expect(buildMatchExpression(many)?.split(" OR ")).toHaveLength(64);
  });

  it("indexes memory, key and tags", () => {
    expect(ftsColumns("text", { key: "k", tags: ["a", "b", 3] })).toEqual(["text", "k", "a b"]);
    expect(ftsColumns("text", { key: null })).toEqual(["text", "", ""]);
  });
});

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
