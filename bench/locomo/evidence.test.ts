import { describe, expect, it } from "vitest";
import {
  addEvidenceCounts,
  canonicalEvidenceId,
  emptyEvidenceCounts,
  normalizeEvidence,
} from "./evidence.js";

// Session 8 has 6 turns, session 9 has 20, session 11 has 30, session 30 has 5.
const turns = new Set<string>();
for (const [session, n] of [
  [8, 6],
  [9, 20],
  [11, 30],
  [30, 5],
] as const) {
  for (let t = 1; t <= n; t++) turns.add(`D${session}:${t}`);
}

describe("canonicalEvidenceId", () => {
  it("repairs stray colons and zero padding", () => {
    expect(canonicalEvidenceId("D:11:26")).toBe("D11:26");
    expect(canonicalEvidenceId("D30:05")).toBe("D30:5");
    expect(canonicalEvidenceId(" d3:4 ")).toBe("D3:4");
    expect(canonicalEvidenceId("D")).toBeUndefined();
    expect(canonicalEvidenceId("session 3")).toBeUndefined();
  });
});

describe("normalizeEvidence", () => {
  it("keeps valid ids as they are", () => {
    const r = normalizeEvidence(["D8:6", "D9:17"], turns);
    expect(r.ids).toEqual(["D8:6", "D9:17"]);
    expect(r.counts).toMatchObject({ raw: 2, valid: 2, repaired: 0, split: 0 });
  });

  it('repairs "D:11:26" and "D30:05"', () => {
    const r = normalizeEvidence(["D:11:26", "D30:05"], turns);
    expect(r.ids).toEqual(["D11:26", "D30:5"]);
    expect(r.counts).toMatchObject({ raw: 2, valid: 0, repaired: 2 });
  });

  it("splits several ids in one string", () => {
    expect(normalizeEvidence(["D8:6; D9:17"], turns).ids).toEqual(["D8:6", "D9:17"]);
    expect(normalizeEvidence(["D8:1, D8:2"], turns).ids).toEqual(["D8:1", "D8:2"]);
    const spaced = normalizeEvidence(["D8:3 D8:4"], turns);
    expect(spaced.ids).toEqual(["D8:3", "D8:4"]);
    expect(spaced.counts.split).toBe(1);
  });

  it("drops ids past a session's end and unreadable ones, and counts them", () => {
    const r = normalizeEvidence(["D8:7", "D", "D9:2"], turns);
    expect(r.ids).toEqual(["D9:2"]);
    expect(r.counts).toMatchObject({ raw: 3, valid: 1, droppedUnknown: 1, droppedUnparseable: 1 });
    expect(r.counts.questionsWithoutEvidence).toBe(0);
  });

  it("drops duplicates and flags a question left without evidence", () => {
    expect(normalizeEvidence(["D8:1", "D08:01"], turns)).toMatchObject({
      ids: ["D8:1"],
      counts: { droppedDuplicate: 1, repaired: 1 },
    });
    const none = normalizeEvidence(["D"], turns);
    expect(none.ids).toEqual([]);
    expect(none.counts.questionsWithoutEvidence).toBe(1);
    expect(normalizeEvidence([], turns).counts.questionsWithoutEvidence).toBe(1);
  });

  it("sums counts", () => {
    const total = addEvidenceCounts(emptyEvidenceCounts(), normalizeEvidence(["D:11:26"], turns).counts);
    addEvidenceCounts(total, normalizeEvidence(["D8:1"], turns).counts);
    expect(total).toMatchObject({ raw: 2, valid: 1, repaired: 1 });
  });
});
