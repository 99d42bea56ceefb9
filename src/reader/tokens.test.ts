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

  it("equals the encoder's token count on mixed text (the per-piece count cache changes nothing)", () => {
    const alphabet = [
      ..."abcdefghijklmnopqrstuvwxyz",
      ..."ABCXYZ",
      ..."0123456789",
      ..."  \t\n\r\n",
      ..."'s'll'D.,;:!?-–—\"()[]{}<>|/\\@#$%^&*_+=~`",
      ..."éüßøñ",
      ..."世界你好",
      "😀",
      "👩‍👩‍👧",
      "<|endoftext|>",
      "supercalifragilisticexpialidocious".repeat(3),
    ];
    let seed = 42;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 400; round++) {
      const length = 1 + Math.floor(rand() * 120);
      const text = Array.from({ length }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
      // Twice: the second count comes from the piece cache.
      expect(countTokens(text)).toBe(encodeTokens(text).length);
      expect(countTokens(text)).toBe(encodeTokens(text).length);
    }
    const prose =
      "Caroline: I went to the LGBTQ support group yesterday [7 May 2023] and it was so powerful!";
    expect(countTokens(prose)).toBe(encodeTokens(prose).length);
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
