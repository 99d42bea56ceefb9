import { describe, expect, it } from "vitest";
import { tokenize } from "../shared/query-terms.js";
import { ftsColumns } from "../shared/search-text.js";
import { buildMatchExpression } from "./fts.js";

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
