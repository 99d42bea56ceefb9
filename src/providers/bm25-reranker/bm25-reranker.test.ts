import { describe, expect, it } from "vitest";
import { createFromConfig } from "../../core/backend-registry.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import "./register.js";
import { createBm25Reranker } from "./bm25-reranker.js";
import { tokenize } from "./bm25-tokenize.js";

describe("bm25 tokenizer", () => {
  it("case-folds, splits on non-letters, drops English stop words", () => {
    expect(tokenize("The user's cat LIKES tea, doesn't it?")).toEqual(["user", "cat", "likes", "tea"]);
  });
  it("normalises Unicode (NFKC) and keeps accented words", () => {
    expect(tokenize("Ｃａｆé in São Paulo")).toEqual(["café", "são", "paulo"]);
  });
  it("splits Han / kana / Hangul into characters", () => {
    expect(tokenize("我喜欢tea")).toEqual(["我", "喜", "欢", "tea"]);
  });
});

describe("bm25 reranker", () => {
  const docs = [
    "I drink green tea every morning",
    "Coffee is my favourite drink",
    "The weather in Paris is mild",
    "green green green tea tea, green tea is the best tea of all teas in the whole wide world",
  ];

  it("scores by term overlap, IDF-weighted, in document order", async () => {
    const scores = await createBm25Reranker().doRerank("green tea", docs);
    expect(scores).toHaveLength(4);
    expect(scores[0]).toBeGreaterThan(0);
    expect(scores[1]).toBe(0);
    expect(scores[2]).toBe(0);
    expect(scores[3]).toBeGreaterThan(scores[0] as number); // more occurrences, saturating
  });

  it("matches the Okapi BM25 formula on a hand-computed case", () => {
    // N = 2, term "tea" in doc 0 only: idf = ln(1 + (2 - 1 + 0.5) / (1 + 0.5)) = ln 2.
    // doc 0 has 2 tokens ("tea", "hot"), doc 1 has 2 ("cold", "milk"): avgdl = 2, dl/avgdl = 1.
    // tf = 1: 1 · (k1 + 1) / (1 + k1) = 1  → score = ln 2.
    const [s0, s1] = createBm25Reranker({ k1: 1.2, b: 0.75 }).score("tea", ["tea hot", "cold milk"]);
    expect(s0).toBeCloseTo(Math.log(2), 10);
    expect(s1).toBe(0);
  });

  it("length normalisation: b = 0 ignores length, b = 1 penalises long documents", () => {
    const short = "tea time";
    const long = "tea time with many other words about nothing in particular at all";
    const [a0, a1] = createBm25Reranker({ b: 0 }).score("tea", [short, long]);
    const [b0, b1] = createBm25Reranker({ b: 1 }).score("tea", [short, long]);
    expect(a0).toBeCloseTo(a1 as number, 10);
    expect(b0).toBeGreaterThan(b1 as number);
  });

  it("a query of stop words only scores everything 0; no documents → []", async () => {
    const r = createBm25Reranker();
    expect(await r.doRerank("the of and", docs)).toEqual([0, 0, 0, 0]);
    expect(await r.doRerank("tea", [])).toEqual([]);
  });

  it("rejects bad parameters", () => {
    expect(() => createBm25Reranker({ b: 2 })).toThrow(InvalidInputError);
    expect(() => createBm25Reranker({ k1: -1 })).toThrow(InvalidInputError);
  });

  it("resolves through the registry", async () => {
    const r = await createFromConfig<Reranker>("reranker", { backend: "bm25", config: { k1: 1.5 } });
    expect(r.provider).toBe("bm25");
    expect(r.modelId).toContain("k1=1.5");
  });
});
