import { describe, expect, it } from "vitest";
import { normalizeFilter } from "../../core/schema/filter.js";
import { compileFilter } from "./filter-sql.js";
import { numbered } from "./sql.js";

describe("postgres filter compilation", () => {
  it("binds every value and JSON key; nothing from the filter reaches the SQL text", () => {
    const evil = "x' OR 1=1; DROP TABLE memos_items; --";
    const { sql, params } = compileFilter(
      normalizeFilter({
        user_id: evil,
        note: { contains: evil },
        tags: { in: [evil, 3] },
        or: [{ custom_field: { gt: evil } }, { memory: { contains: evil } }],
      }),
    );
    expect(sql).not.toContain("DROP");
    expect(sql).not.toContain("custom_field");
    expect(params).toContain(evil);
    expect(params).toContain("custom_field");
    expect(sql.split("?").length - 1).toBe(params.length);
    // Numbered as PostgreSQL wants them, in order.
    const text = numbered(sql);
    expect(text).not.toContain("?");
    expect(text).toContain(`$${params.length}`);
  });

  it("uses the generated, indexed columns for hot fields and jsonb for the rest", () => {
    expect(compileFilter(normalizeFilter({ status: "activated" }))).toEqual({
      sql: "i.status = ?::text",
      params: ["activated"],
    });
    expect(compileFilter(normalizeFilter({ user_id: null }))).toEqual({
      sql: "i.user_id IS NULL",
      params: [],
    });
    // A number can never equal a text column: no SQL needed to know it.
    expect(compileFilter(normalizeFilter({ user_id: 1 }))).toEqual({ sql: "false", params: [] });
    expect(compileFilter(normalizeFilter({ priority: 2 })).params).toEqual(["priority", "2"]);
  });
});
