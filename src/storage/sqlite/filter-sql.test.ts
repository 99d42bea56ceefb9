import { describe, expect, it } from "vitest";
import { normalizeFilter } from "../../core/schema/filter.js";
import { resolveFilter } from "../shared/resolve-filter.js";
import { compileFilter, vecPushdown } from "./filter-sql.js";

describe("filter compilation", () => {
  it("binds every value and path; nothing from the filter reaches the SQL text", () => {
    const evil = "x' OR 1=1; DROP TABLE items; --";
    const { sql, params } = compileFilter(
      normalizeFilter({
        user_id: evil,
        note: { contains: evil },
        tags: { in: [evil, 3] },
        or: [{ custom: { gt: evil } }],
      }),
    );
    expect(sql).not.toContain("DROP");
    expect(sql).not.toContain("custom");
    expect(params).toContain(evil);
    expect(params).toContain("$.custom");
    expect(sql.split("?").length - 1).toBe(params.length);
  });

  it("uses the indexed columns for hot fields and JSON paths for the rest", () => {
    expect(compileFilter(normalizeFilter({ status: "activated" }))).toEqual({
      sql: "i.status = ?",
      params: ["activated"],
    });
    expect(compileFilter(normalizeFilter({ user_id: null }))).toEqual({
      sql: "i.user_id IS NULL",
      params: [],
    });
    expect(compileFilter(normalizeFilter({ key: "k" })).params).toEqual(["$.key", "$.key", "k"]);
  });

  it("accepts normalised filters and rejects malformed ones", () => {
    const node = normalizeFilter({ user_id: "u1", tags: { contains: "a" } });
    expect(resolveFilter(node)).toBe(node);
    expect(resolveFilter(undefined)).toBeUndefined();
    expect(() => resolveFilter({ kind: "cmp", field: "a.b", op: "eq", value: 1 } as never)).toThrow(/field/);
    expect(() => resolveFilter({ kind: "cmp", field: "a", op: "like", value: 1 } as never)).toThrow(/op/);
    expect(() => resolveFilter({ kind: "cmp", field: "a", op: "in", value: 1 } as never)).toThrow(/list/);
  });
});

describe("vec0 pushdown", () => {
  it("pushes string equality and lists on status, memory_type and user_id, exactly", () => {
    const p = vecPushdown(
      normalizeFilter({ status: "activated", memory_type: { in: ["A", "B", 3] }, user_id: { ne: "u" } }),
    );
    expect(p).toEqual({
      sql: " AND status = ? AND memory_type IN (?, ?) AND user_id != ?",
      params: ["activated", "A", "B", "u"],
      exact: true,
    });
  });

  it("pushes null as '' but no longer claims exactness", () => {
    expect(vecPushdown(normalizeFilter({ user_id: null }))).toEqual({
      sql: " AND user_id = ?",
      params: [""],
      exact: false,
    });
  });

  it("leaves other fields, operators and OR to the full filter", () => {
    expect(vecPushdown(normalizeFilter({ status: "activated", tags: { contains: "x" } })).exact).toBe(false);
    expect(vecPushdown(normalizeFilter({ or: [{ status: "activated" }, { user_id: "u" }] }))).toEqual({
      sql: "",
      params: [],
      exact: false,
    });
    expect(vecPushdown(normalizeFilter({ user_id: { ne: null } })).exact).toBe(false);
    expect(vecPushdown(undefined)).toEqual({ sql: "", params: [], exact: true });
  });
});
