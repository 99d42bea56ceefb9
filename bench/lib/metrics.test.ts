import { describe, expect, it } from "vitest";
import {
  bleu1,
  evidenceHit,
  evidenceRecall,
  mean,
  normalizeAnswer,
  packByBudget,
  percentile,
  tokenF1,
} from "./metrics.js";

describe("evidence recall and hit", () => {
  // Three memories: the first covers two turns, the second one, the third one.
  const retrieved = [["D1:1", "D1:2"], ["D2:5"], ["D3:1"]];

  it("counts the evidence covered by the first k memories", () => {
    expect(evidenceRecall(retrieved, ["D1:2", "D3:1"], 1)).toBe(0.5);
    expect(evidenceRecall(retrieved, ["D1:2", "D3:1"], 2)).toBe(0.5);
    expect(evidenceRecall(retrieved, ["D1:2", "D3:1"], 3)).toBe(1);
    expect(evidenceRecall(retrieved, ["D9:9"], 3)).toBe(0);
  });

  it("treats k beyond the list as the whole list and k = 0 as nothing", () => {
    expect(evidenceRecall(retrieved, ["D3:1"], 50)).toBe(1);
    expect(evidenceRecall(retrieved, ["D1:1"], 0)).toBe(0);
    expect(evidenceHit(retrieved, ["D1:1"], 0)).toBe(0);
  });

  it("hit is 1 when any evidence turn is retrieved", () => {
    expect(evidenceHit(retrieved, ["D2:5", "D9:9"], 2)).toBe(1);
    expect(evidenceHit(retrieved, ["D2:5", "D9:9"], 1)).toBe(0);
  });

  it("ignores repeated gold ids and gives NaN without evidence", () => {
    expect(evidenceRecall(retrieved, ["D2:5", "D2:5"], 2)).toBe(1);
    expect(evidenceRecall(retrieved, [], 2)).toBeNaN();
    expect(evidenceHit(retrieved, [], 2)).toBeNaN();
  });
});

describe("packByBudget (stop at the first memory that does not fit)", () => {
  it("takes memories while they fit", () => {
    expect(packByBudget([100, 200, 150], 500)).toBe(3);
    expect(packByBudget([100, 200, 150], 300)).toBe(2);
    expect(packByBudget([100, 200, 150], 299)).toBe(1);
  });

  it("stops rather than skipping to a later, shorter memory", () => {
    expect(packByBudget([100, 450, 10], 500)).toBe(1);
  });

  it("returns 0 when the first memory exceeds the budget", () => {
    expect(packByBudget([600, 10], 500)).toBe(0);
    expect(packByBudget([], 500)).toBe(0);
  });
});

describe("percentile and mean", () => {
  it("interpolates linearly between ranks, as numpy does", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([4, 1, 3, 2], 0)).toBe(1);
    expect(percentile([4, 1, 3, 2], 100)).toBe(4);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("mean skips NaN", () => {
    expect(mean([1, Number.NaN, 3])).toBe(2);
    expect(mean([])).toBeNaN();
  });
});

describe("answer metrics", () => {
  it("normalises like SQuAD", () => {
    expect(normalizeAnswer("The  Eiffel Tower!")).toBe("eiffel tower");
    expect(normalizeAnswer("An apple, a pear.")).toBe("apple pear");
  });

  it("token F1", () => {
    expect(tokenF1("the Eiffel Tower", "Eiffel Tower.")).toBe(1);
    // pred {paris, france} vs gold {paris}: P = 1/2, R = 1 → F1 = 2/3.
    expect(tokenF1("Paris, France", "Paris")).toBeCloseTo(2 / 3);
    expect(tokenF1("London", "Paris")).toBe(0);
    expect(tokenF1("", "Paris")).toBe(0);
    expect(tokenF1("the", "a")).toBe(1);
    // Repeated tokens are clipped: pred {cat, cat} vs gold {cat}: P = 1/2, R = 1.
    expect(tokenF1("cat cat", "cat")).toBeCloseTo(2 / 3);
  });

  it("BLEU-1 with clipping and brevity penalty", () => {
    expect(bleu1("eiffel tower", "The Eiffel Tower")).toBe(1);
    // Clipped precision 1/2 ("cat" counted once), prediction not shorter → no penalty.
    expect(bleu1("cat cat", "cat")).toBe(0.5);
    // Prediction 1 token, reference 3: precision 1, BP = exp(1 - 3/1).
    expect(bleu1("paris", "paris in france")).toBeCloseTo(Math.exp(-2));
    expect(bleu1("", "paris")).toBe(0);
    expect(bleu1("london", "paris")).toBe(0);
  });
});
