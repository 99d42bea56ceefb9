import { describe, expect, it } from "vitest";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { Candidate } from "./dedup.js";
import { diversifyBySession } from "./diversity.js";

function cand(id: string, session: string | undefined, score: number): Candidate {
  const item = {
    id,
    memory: id,
    metadata: { session_id: session, sources: [] },
  } as unknown as TextualMemoryItem;
  return { item, score, paths: ["vector"] };
}

describe("diversifyBySession", () => {
  it("lets a fact from another session come before a session's third hit", () => {
    const list = [cand("a1", "s1", 1), cand("a2", "s1", 0.95), cand("a3", "s1", 0.9), cand("b1", "s2", 0.7)];
    const out = diversifyBySession(list, 0.8);
    // a2: 0.95×0.8 = 0.76 > b1 0.7; a3: 0.9×0.64 = 0.576 < 0.7.
    expect(out.map((c) => c.item.id)).toEqual(["a1", "a2", "b1", "a3"]);
    const expected = [1, 0.76, 0.7, 0.576];
    for (const [i, c] of out.entries()) expect(c.score).toBeCloseTo(expected[i] as number, 9);
  });

  it("treats memories without a session as groups of their own, and decay 1 as off", () => {
    const list = [cand("x", undefined, 1), cand("y", undefined, 0.9), cand("z", "s1", 0.8)];
    expect(diversifyBySession(list, 0.5).map((c) => c.score)).toEqual([1, 0.9, 0.8]);
    const same = [cand("a1", "s1", 1), cand("a2", "s1", 0.9)];
    expect(diversifyBySession(same, 1)).toBe(same);
  });
});
