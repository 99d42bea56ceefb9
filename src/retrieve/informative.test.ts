import { describe, expect, it } from "vitest";
import { informativeHits, MIN_UNINFORMATIVE_HITS } from "./informative.js";

const near = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, score: 1.6e-6 }));

describe("informativeHits", () => {
  it("drops matches on words most memories hold, keeping the real ones", () => {
    const hits = [{ id: "a", score: 2.1 }, ...near(MIN_UNINFORMATIVE_HITS)];
    expect(informativeHits(hits)).toEqual([{ id: "a", score: 2.1 }]);
  });

  it("keeps a tiny cube's matches, where every word is in half the memories", () => {
    expect(informativeHits(near(1))).toHaveLength(1);
    expect(informativeHits(near(MIN_UNINFORMATIVE_HITS - 1))).toHaveLength(MIN_UNINFORMATIVE_HITS - 1);
  });
});
