import { describe, expect, it } from "vitest";
import { splitToBudget } from "./text.js";
import { countTokens, decodeTokens, encodeTokens } from "./tokens.js";

describe("countTokens (cl100k)", () => {
  it("counts known strings", () => {
    expect(countTokens("")).toBe(0);
    expect(countTokens("hello world")).toBe(2);
    expect(encodeTokens("hello world")).toEqual([15339, 1917]);
    expect(decodeTokens(encodeTokens("Grüße, 世界!"))).toBe("Grüße, 世界!");
  });

  it("treats special-token text in user content as ordinary text", () => {
    expect(() => countTokens("ends with <|endoftext|> here")).not.toThrow();
    expect(countTokens("<|endoftext|>")).toBeGreaterThan(1);
  });
});

describe("splitToBudget", () => {
  it("cuts between sentences first", () => {
    expect(splitToBudget("One. Two. Three.", 4)).toEqual(["One. Two.", "Three."]);
  });

  it("cuts unspaced CJK text and long URLs within budget, without broken characters", () => {
    const cjk = "我今天去了支持小组，那里的故事非常鼓舞人心，我感到非常高兴和感激".repeat(6);
    const url = `https://example.com/${"a1b2c3d4".repeat(60)}`;
    for (const text of [cjk, url, `${url} ${cjk}`]) {
      const pieces = splitToBudget(text, 20);
      expect(pieces.length).toBeGreaterThan(1);
      for (const p of pieces) {
        expect(countTokens(p)).toBeLessThanOrEqual(20);
        expect(p).not.toContain("\uFFFD");
        expect(p.trim()).toBe(p);
        expect(p).not.toBe("");
      }
      expect(pieces.join("").replace(/\s+/g, "")).toBe(text.replace(/\s+/g, ""));
    }
  });
});
