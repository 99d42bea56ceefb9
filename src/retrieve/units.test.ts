import { describe, expect, it } from "vitest";
import { TextualMemoryItem } from "../core/schema/memory.js";
import { type Candidate, dedupMmr, dedupSim, mergeSame } from "./dedup.js";
import { displaceByWorking, keyTagHaystack, keyTagMatches, rankWorking } from "./paths.js";
import { parseReferenceTime, temporalFactor } from "./temporal.js";

const item = (id: string, memory: string, metadata: Record<string, unknown> = {}) =>
  TextualMemoryItem.parse({ id, memory, metadata });
const cand = (id: string, score: number, memory = id, metadata: Record<string, unknown> = {}): Candidate => ({
  item: item(id, memory, metadata),
  score,
  paths: ["vector"],
});
const v = (...xs: number[]) => Float32Array.from(xs);

describe("temporalFactor", () => {
  const ref = Date.parse("2025-05-08T00:00:00Z");
  it("is 0 outside the validity interval and favours facts that began near the reference time", () => {
    expect(temporalFactor(item("a", "x", { valid_at: "2025-06-01T00:00:00Z" }), ref)).toBe(0);
    expect(temporalFactor(item("a", "x", { invalid_at: "2025-05-08T00:00:00Z" }), ref)).toBe(0);
    const near = temporalFactor(item("a", "x", { valid_at: "2025-05-01T00:00:00Z" }), ref);
    const far = temporalFactor(item("a", "x", { valid_at: "2020-05-01T00:00:00Z" }), ref);
    expect(near).toBeGreaterThan(far);
    expect(near).toBeLessThanOrEqual(1.2);
    expect(far).toBeGreaterThanOrEqual(1);
    expect(temporalFactor(item("a", "x"), ref)).toBe(1);
  });
  it("reads ISO strings and Dates", () => {
    expect(parseReferenceTime("2025-05-08T00:00:00Z")).toBe(ref);
    expect(parseReferenceTime(new Date(ref))).toBe(ref);
    expect(parseReferenceTime(undefined)).toBeUndefined();
  });
});

describe("dedup", () => {
  it("mergeSame keeps one candidate per id and per text, preferring the durable item", () => {
    const merged = mergeSame([
      { ...cand("copy", 0.9, "Zoe plays cello.", { memory_type: "WorkingMemory" }), paths: ["working"] },
      cand("orig", 0.5, " zoe  plays CELLO."),
      cand("other", 0.4, "Tom plays drums."),
    ]);
    expect(merged.map((c) => c.item.id)).toEqual(["orig", "other"]);
    expect(merged[0]?.score).toBe(0.9);
    expect(merged[0]?.paths).toEqual(["working", "vector"]);
  });

  it("sim drops near-duplicates of kept items; mmr prefers a diverse second pick", () => {
    const cs = [cand("a", 1), cand("a2", 0.95), cand("b", 0.9), cand("c", 0.5)];
    const vectors = new Map([
      ["a", v(1, 0, 0)],
      ["a2", v(0.99, 0.05, 0)],
      ["b", v(0.8, 0.6, 0)],
      ["c", v(0, 0, 1)],
    ]);
    expect(dedupSim(cs, vectors, 0.92).map((c) => c.item.id)).toEqual(["a", "b", "c"]);
    // λ = 0.5: c (unrelated, weaker) beats b (similar to a) for the second place.
    expect(dedupMmr(cs, vectors, 0.5, 0.92).map((c) => c.item.id)).toEqual(["a", "c", "b"]);
    // λ = 1 is plain relevance order, still without the near-duplicate.
    expect(dedupMmr(cs, vectors, 1, 0.92).map((c) => c.item.id)).toEqual(["a", "b", "c"]);
  });
});

describe("path helpers", () => {
  it("ranks working items among the vector hits, and moves the hits down behind better working items", () => {
    const wm = [
      item("w1", "x", { memory_type: "WorkingMemory" }),
      item("w2", "y", { memory_type: "WorkingMemory" }),
    ];
    const vectors = new Map([
      ["w1", v(1, 0)],
      ["w2", v(0, 1)],
    ]);
    const hits = [
      { id: "s1", score: 0.8 },
      { id: "s2", score: 0.3 },
    ];
    const ranked = rankWorking(wm, vectors, v(1, 0.1), { kind: "and", children: [] }, hits);
    expect(ranked.map((r) => [r.id, r.rank])).toEqual([
      ["w1", 0],
      ["w2", 2],
    ]);
    expect(displaceByWorking(hits, ranked).map((h) => h.rank)).toEqual([1, 2]);
  });

  it("matches keys and tags as whole-word phrases of the query", () => {
    const hay = keyTagHaystack({ original: "What is Ana's favourite food?" });
    expect(keyTagMatches(item("a", "x", { key: "favourite food", tags: ["food", "foo"] }), hay)).toBe(2);
    expect(keyTagMatches(item("b", "x", { key: "favourite drink", tags: ["od"] }), hay)).toBe(0);
    const fine = keyTagHaystack({ original: "what to cook", keys: ["favourite food"], tags: ["cuisine"] });
    expect(keyTagMatches(item("c", "x", { key: "Favourite Food" }), fine)).toBe(1);
    // Phrases never span two parts of the haystack.
    expect(keyTagMatches(item("d", "x", { key: "cook favourite" }), fine)).toBe(0);
  });
});
