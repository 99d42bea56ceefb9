import type { FilterNode, FilterOp, Scalar } from "../../core/schema/filter.js";
import { HOT_COLUMNS } from "../shared/hot-columns.js";
import { FALSE, joinAll, type SqlFragment, TRUE } from "./sql.js";

/**
 * Metadata fields copied into generated columns of `memos_items` (indexed, `COLLATE "C"`): the
 * SQLite store's hot columns. The zod schema makes each a string or null, so they compile to
 * plain text comparisons.
 */
export { HOT_COLUMNS };

const TEXT_FIELDS = new Set<string>(["id", "memory", ...HOT_COLUMNS]);

const RANGE_SQL = { gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

/**
 * Compile a normalised filter (see core/schema/filter.ts; validate it with `resolveFilter`
 * first) to a PostgreSQL boolean over `memos_items` aliased `alias`. Every value and every JSON
 * key is a bound parameter; field names reach the SQL text only as generated-column names from
 * the fixed list above. The semantics equal `matchesFilter`: values compare by JSON type as well
 * as value, a missing field behaves as null, and strings order by code point (`COLLATE "C"`),
 * as JavaScript and the SQLite store order them.
 *
 * No fragment is ever SQL NULL where a NOT could see it: `ne` negates an expression wrapped in
 * coalesce, so three-valued logic cannot leak into results.
 *
 * @example
 * compileFilter(normalizeFilter({ user_id: "u1", tags: { contains: "food" } }), "i")
 * // => { sql: "(i.user_id = ? AND coalesce(...))", params: ["u1", "tags", "\"food\""...] }
 */
export function compileFilter(node: FilterNode | undefined, alias = "i"): SqlFragment {
  if (!node) return TRUE;
  switch (node.kind) {
    case "and":
      return joinAll(
        node.children.map((c) => compileFilter(c, alias)),
        "AND",
        TRUE,
      );
    case "or":
      return joinAll(
        node.children.map((c) => compileFilter(c, alias)),
        "OR",
        FALSE,
      );
    case "cmp":
      return TEXT_FIELDS.has(node.field)
        ? compileText(`${alias}.${node.field}`, node.op, node.value)
        : compileJson(`${alias}.metadata`, node.field, node.op, node.value);
  }
}

/** A column holding text or NULL (declared `COLLATE "C"`). */
function compileText(col: string, op: FilterOp, value: Scalar | Scalar[]): SqlFragment {
  switch (op) {
    case "eq":
      if (value === null) return { sql: `${col} IS NULL`, params: [] };
      return typeof value === "string" ? { sql: `${col} = ?::text`, params: [value] } : FALSE;
    case "ne":
      if (value === null) return { sql: `${col} IS NOT NULL`, params: [] };
      return typeof value === "string" ? { sql: `${col} IS DISTINCT FROM ?::text`, params: [value] } : TRUE;
    case "in": {
      const list = Array.isArray(value) ? value : [];
      const strings = list.filter((v): v is string => typeof v === "string");
      const parts: SqlFragment[] = [];
      if (strings.length > 0) parts.push({ sql: `${col} = ANY(?::text[])`, params: [strings] });
      if (list.includes(null)) parts.push({ sql: `${col} IS NULL`, params: [] });
      return joinAll(parts, "OR", FALSE);
    }
    case "contains":
      return typeof value === "string"
        ? { sql: `coalesce(strpos(${col}, ?::text) > 0, false)`, params: [value] }
        : FALSE;
    default:
      return typeof value === "string"
        ? { sql: `coalesce(${col} ${RANGE_SQL[op]} ?::text, false)`, params: [value] }
        : FALSE;
  }
}

/** A field inside the metadata jsonb; the key is a parameter. A missing key reads as SQL NULL. */
function compileJson(meta: string, field: string, op: FilterOp, value: Scalar | Scalar[]): SqlFragment {
  const typeOf = { sql: `jsonb_typeof(${meta} -> ?::text)`, params: [field] };
  /** JSON value === v, with missing counted as null; never SQL NULL. */
  const eq = (v: Scalar): SqlFragment => {
    if (v === null) return { sql: `coalesce(${typeOf.sql}, 'null') = 'null'`, params: typeOf.params };
    // jsonb equality compares type and value (1 = 1.0, 1 <> "1", true <> 1), as === does.
    return { sql: `coalesce(${meta} -> ?::text = ?::jsonb, false)`, params: [field, JSON.stringify(v)] };
  };
  switch (op) {
    case "eq":
      return eq(value as Scalar);
    case "ne": {
      const e = eq(value as Scalar);
      return { sql: `(NOT ${e.sql})`, params: e.params };
    }
    case "in":
      return joinAll((Array.isArray(value) ? value : []).map(eq), "OR", FALSE);
    case "contains": {
      const v = value as Scalar;
      // Element equality of the top-level array, as Array.prototype.includes.
      const inArray: SqlFragment = {
        sql: `coalesce(${typeOf.sql} = 'array' AND EXISTS (SELECT 1 FROM jsonb_array_elements(${meta} -> ?::text) AS e(v) WHERE e.v = ?::jsonb), false)`,
        params: [field, field, JSON.stringify(v)],
      };
      if (typeof v !== "string") return inArray;
      const inString: SqlFragment = {
        sql: `coalesce(${typeOf.sql} = 'string' AND strpos(${meta} ->> ?::text, ?::text) > 0, false)`,
        params: [field, field, v],
      };
      return joinAll([inArray, inString], "OR", FALSE);
    }
    default: {
      const sqlOp = RANGE_SQL[op];
      if (typeof value === "number") {
        // jsonb orders numbers numerically.
        return {
          sql: `coalesce(${typeOf.sql} = 'number' AND ${meta} -> ?::text ${sqlOp} ?::jsonb, false)`,
          params: [field, field, JSON.stringify(value)],
        };
      }
      if (typeof value === "string") {
        return {
          sql: `coalesce(${typeOf.sql} = 'string' AND (${meta} ->> ?::text) COLLATE "C" ${sqlOp} ?::text, false)`,
          params: [field, field, value],
        };
      }
      return FALSE;
    }
  }
}
