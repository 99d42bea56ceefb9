import { describe, expect, it } from "vitest";
import { Bm25Index, tokenize } from "./bm25.js";

describe("tokenize", () => {
  it("lower-cases, splits on non-alphanumerics and drops stop words", () => {
    expect(tokenize("What did Ada's BIKE-shop sell?")).toEqual(["ada", "s", "bike", "shop", "sell"]);
    expect(tokenize("the cat", new Set())).toEqual(["the", "cat"]);
  });
});

describe("Bm25Index", () => {
  const docs = [
    "the cat sat on the mat",
    "dogs chase cats",
    "a cat and a cat and a cat",
    "stock market news",
  ];
  const index = new Bm25Index(docs);

  it("ranks documents with the query terms first and leaves out non-matching ones", () => {
    const hits = index.search("cat", 10);
    expect(hits.map((h) => h.index).sort()).toEqual([0, 2]);
    // Document 2 repeats "cat" three times: higher term frequency wins.
    expect(hits[0]?.index).toBe(2);
    expect(index.search("market", 10).map((h) => h.index)).toEqual([3]);
    expect(index.search("unknownword", 10)).toEqual([]);
  });

  it("weights rare terms above common ones", () => {
    expect(index.idf("market")).toBeGreaterThan(index.idf("cat"));
    expect(index.idf("cat")).toBeGreaterThan(0);
  });

  it("matches the Okapi formula on a hand-computed case", () => {
    const small = new Bm25Index(["apple banana", "apple"], { stopWords: new Set() });
    // N = 2, avgdl = 1.5; "banana": df = 1 → idf = ln(1 + 1.5/1.5) = ln 2; doc 0: tf 1, dl 2.
    const norm = 1.2 * (1 - 0.75 + (0.75 * 2) / 1.5);
    const expected = (Math.log(2) * 1 * 2.2) / (1 + norm);
    const [hit] = small.search("banana", 1);
    expect(hit?.index).toBe(0);
    expect(hit?.score).toBeCloseTo(expected, 10);
  });

  it("respects k", () => {
    expect(index.search("cat dogs", 1)).toHaveLength(1);
    expect(index.search("cat", 0)).toEqual([]);
  });
});
