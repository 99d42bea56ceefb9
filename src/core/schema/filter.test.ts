import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../errors/invalid-input-error.js";
import { matchesFilter, normalizeFilter } from "./filter.js";

const item = {
  id: "a",
  memory: "Maya adopted a cat",
  metadata: {
    user_id: "maya",
    tags: ["pets", "home"],
    confidence: 80,
    created_at: "2025-03-09T18:40:00Z",
    pinned: true,
  },
};
const m = (f: unknown) => matchesFilter(item, normalizeFilter(f));

describe("filter DSL", () => {
  it("evaluates every operator", () => {
    expect(m({ user_id: "maya" })).toBe(true);
    expect(m({ user_id: { ne: "maya" } })).toBe(false);
    expect(m({ user_id: { in: ["ana", "maya"] } })).toBe(true);
    expect(m({ confidence: { gt: 79, lte: 80 } })).toBe(true);
    expect(m({ confidence: { lt: 80 } })).toBe(false);
    expect(m({ created_at: { gte: "2025-03-01", lt: "2025-04-01" } })).toBe(true);
    expect(m({ tags: { contains: "pets" } })).toBe(true);
    expect(m({ memory: { contains: "cat" } })).toBe(true);
    expect(m({ pinned: true })).toBe(true);
    expect(m({ missing_field: null })).toBe(true);
    expect(m({ missing_field: { gt: 1 } })).toBe(false);
  });

  it("nests and/or; keys of one object are AND-ed", () => {
    expect(m({ or: [{ user_id: "ana" }, { tags: { contains: "home" } }] })).toBe(true);
    expect(m({ user_id: "maya", or: [{ user_id: "ana" }, { confidence: { gt: 90 } }] })).toBe(false);
    expect(m({ and: [{ user_id: "maya" }, { or: [{ confidence: 80 }] }] })).toBe(true);
  });

  it("rejects malformed filters with a typed error and hint", () => {
    for (const bad of [
      null,
      [],
      { "user id": "x" },
      { user_id: { like: "x" } },
      { or: {} },
      { user_id: [1] },
    ]) {
      expect(() => normalizeFilter(bad)).toThrow(InvalidInputError);
    }
    try {
      normalizeFilter({ user_id: { like: "x" } });
    } catch (e) {
      expect((e as InvalidInputError).hint).toContain("filters look like");
    }
  });
});
