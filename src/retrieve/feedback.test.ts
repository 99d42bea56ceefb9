import { describe, expect, it } from "vitest";
import { expansionTerms } from "./feedback.js";

describe("expansionTerms", () => {
  it("takes the words several hits share, not the query's, stamps, speaker labels or numbers", () => {
    const docs = [
      "[8 May 2023] Maya: I went to a pottery class on 8 May",
      "[9 May 2023] Leo: pottery sounds fun\nMaya: camping next weekend, then pottery",
      "[1 June 2023] Maya: camping by the lake, 2023 was great",
    ];
    expect(expansionTerms("What does Maya do to relax?", docs)).toEqual(["pottery", "camping"]);
  });

  it("gives nothing when no word occurs in two hits", () => {
    expect(expansionTerms("cats?", ["Ada: a tabby", "Ada: the vet"])).toEqual([]);
  });
});
