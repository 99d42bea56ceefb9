import { describe, expect, it } from "vitest";
import { normalizeFilter } from "../../core/schema/filter.js";
import { qdrantFilter } from "./filter.js";

const cube = { key: "memos_cube", match: { value: "c" } };

describe("filter DSL → Qdrant payload conditions", () => {
  it("pushes string equality, exclusion and membership on fields the schema types as strings", () => {
    expect(
      qdrantFilter(
        "c",
        normalizeFilter({ user_id: "u1", status: { ne: "archived" }, id: { in: ["a", "b"] } }),
      ),
    ).toEqual({
      filter: {
        must: [
          cube,
          { key: "metadata.user_id", match: { value: "u1" } },
          { key: "id", match: { any: ["a", "b"] } },
        ],
        must_not: [{ key: "metadata.status", match: { value: "archived" } }],
      },
      exact: true,
    });
    expect(qdrantFilter("c", normalizeFilter({ tags: { contains: "food" } })).filter.must).toContainEqual({
      key: "metadata.tags",
      match: { value: "food" },
    });
  });

  it("leaves to the payload what Qdrant's match would get wrong", () => {
    const cases = [
      { priority: 1 }, // numbers: match has no float equality
      { user_id: null }, // missing-is-null has no match form
      { note: "x" }, // an unknown field may hold a list, which match treats as membership
      { user_id: { in: ["u1", null] } },
      { user_id: { in: [] } },
      { user_id: { gt: "u" } },
      { memory: { contains: "tea" } }, // substring, not a token match
      { or: [{ user_id: "u1" }, { user_id: "u2" }] },
    ];
    for (const f of cases) {
      const { filter, exact } = qdrantFilter("c", normalizeFilter(f));
      expect(filter, JSON.stringify(f)).toEqual({ must: [cube] });
      expect(exact, JSON.stringify(f)).toBe(false);
    }
  });

  it("always scopes to the cube, whose id is a value, never a key", () => {
    expect(qdrantFilter('c"} OR *', undefined)).toEqual({
      filter: { must: [{ key: "memos_cube", match: { value: 'c"} OR *' } }] },
      exact: true,
    });
  });
});
