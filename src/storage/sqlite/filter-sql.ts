import type { FilterNode, FilterOp, Scalar } from "../../core/schema/filter.js";
import { type FilterComparison, pushDownConjuncts } from "../shared/filter-pushdown.js";
import { HOT_COLUMNS, type HotColumn } from "../shared/hot-columns.js";
import { VEC_METADATA_COLUMNS, type VecMetadataColumn, vecColumnValue } from "./vec-columns.js";

/** A piece of SQL with its positional parameters, in order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

const HOT = new Set<string>(HOT_COLUMNS);

/**
 * Where a field lives. `id`, `memory` and the hot generated columns hold TEXT or NULL only
 * (items are validated by the zod schema before they are written), so they compile to plain
 * comparisons that can use indexes. Every other field is read from the JSON with a bound path.
 */
type FieldRef = { kind: "text"; sql: string } | { kind: "json"; path: string };

function fieldRef(field: string, alias: string): FieldRef {
  if (field === "id" || field === "memory") return { kind: "text", sql: `${alias}.${field}` };
  if (HOT.has(field)) return { kind: "text", sql: `${alias}.${field as HotColumn}` };
  return { kind: "json", path: `$.${field}` };
}

const RANGE_SQL = { gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

/**
 * Compile a normalised filter to a SQL boolean over the items table aliased `alias`. Values and
 * JSON paths are always bound parameters. The semantics equal `matchesFilter` (core/schema/filter.ts):
 * values compare by JSON type as well as value (SQLite would otherwise see `true` as 1 and an
 * array as its JSON text), and a missing field behaves as null.
 *
 * The DSL has no NOT: only `ne` negates, and it negates an expression that is never SQL NULL, so
 * three-valued logic cannot leak into results.
 */
export function compileFilter(node: FilterNode, alias = "i"): SqlFragment {
  return compileNode(node, alias);
}

/** The WHERE clause of a filter over items aliased `alias`; "1" when there is no filter. */
export function filterWhere(node: FilterNode | undefined, alias = "i"): SqlFragment {
  return node ? compileNode(node, alias) : { sql: "1", params: [] };
}

const TRUE: SqlFragment = { sql: "1", params: [] };
const FALSE: SqlFragment = { sql: "0", params: [] };

/** Join fragments with an operator, keeping parameters in SQL text order. */
function joinAll(parts: SqlFragment[], op: "AND" | "OR", empty: SqlFragment): SqlFragment {
  if (parts.length === 0) return empty;
  if (parts.length === 1) return parts[0] as SqlFragment;
  return { sql: `(${parts.map((p) => p.sql).join(` ${op} `)})`, params: parts.flatMap((p) => p.params) };
}

function compileNode(node: FilterNode, alias: string): SqlFragment {
  switch (node.kind) {
    case "and":
      return joinAll(
        node.children.map((c) => compileNode(c, alias)),
        "AND",
        TRUE,
      );
    case "or":
      return joinAll(
        node.children.map((c) => compileNode(c, alias)),
        "OR",
        FALSE,
      );
    case "cmp": {
      const ref = fieldRef(node.field, alias);
      return ref.kind === "text"
        ? compileText(ref.sql, node.op, node.value)
        : compileJson(`${alias}.metadata`, ref.path, node.op, node.value);
    }
  }
}

/** A column that holds TEXT or NULL. `ne` uses IS NOT so NULL rows compare as JS null does. */
function compileText(col: string, op: FilterOp, value: Scalar | Scalar[]): SqlFragment {
  switch (op) {
    case "eq":
      if (value === null) return { sql: `${col} IS NULL`, params: [] };
      return typeof value === "string" ? { sql: `${col} = ?`, params: [value] } : FALSE;
    case "ne":
      if (value === null) return { sql: `${col} IS NOT NULL`, params: [] };
      return typeof value === "string" ? { sql: `${col} IS NOT ?`, params: [value] } : TRUE;
    case "in": {
      const list = Array.isArray(value) ? value : [];
      const strings = list.filter((v): v is string => typeof v === "string");
      const parts: SqlFragment[] = [];
      if (strings.length > 0)
        parts.push({ sql: `${col} IN (${strings.map(() => "?").join(", ")})`, params: strings });
      if (list.includes(null)) parts.push({ sql: `${col} IS NULL`, params: [] });
      return joinAll(parts, "OR", FALSE);
    }
    case "contains":
      return typeof value === "string" ? { sql: `instr(${col}, ?) > 0`, params: [value] } : FALSE;
    default:
      return typeof value === "string" ? { sql: `${col} ${RANGE_SQL[op]} ?`, params: [value] } : FALSE;
  }
}

/** A field inside the metadata JSON. json_type is NULL when the path is missing. */
function compileJson(meta: string, path: string, op: FilterOp, value: Scalar | Scalar[]): SqlFragment {
  const typeIs = (t: string): SqlFragment => ({ sql: `json_type(${meta}, ?) IS '${t}'`, params: [path] });
  const isNumber: SqlFragment = {
    sql: `coalesce(json_type(${meta}, ?) IN ('integer', 'real'), 0)`,
    params: [path],
  };
  const valueCmp = (sqlOp: string, v: string | number): SqlFragment => ({
    sql: `json_extract(${meta}, ?) ${sqlOp} ?`,
    params: [path, v],
  });
  /** JSON value === v, with missing counted as null; never SQL NULL. */
  const eq = (v: Scalar): SqlFragment => {
    if (v === null) return { sql: `coalesce(json_type(${meta}, ?), 'null') = 'null'`, params: [path] };
    if (typeof v === "boolean") return typeIs(v ? "true" : "false");
    if (typeof v === "number") return joinAll([isNumber, valueCmp("IS", v)], "AND", TRUE);
    return joinAll([typeIs("text"), valueCmp("IS", v)], "AND", TRUE);
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
      let elem: SqlFragment;
      if (v === null) elem = { sql: "je.type = 'null'", params: [] };
      else if (typeof v === "boolean") elem = { sql: `je.type = '${v ? "true" : "false"}'`, params: [] };
      else if (typeof v === "number")
        elem = { sql: "je.type IN ('integer', 'real') AND je.value = ?", params: [v] };
      else elem = { sql: "je.type = 'text' AND je.value = ?", params: [v] };
      // json_each over a scalar yields that scalar as a row, hence the explicit array check.
      const inArray = joinAll(
        [
          typeIs("array"),
          {
            sql: `EXISTS (SELECT 1 FROM json_each(${meta}, ?) AS je WHERE ${elem.sql})`,
            params: [path, ...elem.params],
          },
        ],
        "AND",
        TRUE,
      );
      if (typeof v !== "string") return inArray;
      const inString = joinAll(
        [typeIs("text"), { sql: `instr(json_extract(${meta}, ?), ?) > 0`, params: [path, v] }],
        "AND",
        TRUE,
      );
      return joinAll([inArray, inString], "OR", FALSE);
    }
    default: {
      if (typeof value !== "string" && typeof value !== "number") return FALSE;
      const typeOk = typeof value === "number" ? isNumber : typeIs("text");
      return joinAll([typeOk, valueCmp(RANGE_SQL[op], value)], "AND", TRUE);
    }
  }
}

/**
 * The part of a filter that sqlite-vec can evaluate inside a KNN query, on the vec0 metadata
 * columns (status, memory_type, user_id; NULL is stored there as ''). It is always implied by the
 * full filter, so the full filter can still be applied afterwards; `exact` says the pushed part IS
 * the full filter, so KNN results need no over-fetching.
 */
export interface VecPushdown {
  /** `AND`-prefixed SQL to append to `WHERE embedding MATCH ? AND k = ?`, or "". */
  sql: string;
  params: unknown[];
  exact: boolean;
}

const VEC_COLS = new Set<string>(VEC_METADATA_COLUMNS);

export function vecPushdown(node: FilterNode | undefined): VecPushdown {
  const { pushed, exact } = pushDownConjuncts(node, pushVecComparison);
  return {
    sql: pushed.map((p) => ` AND ${p.sql}`).join(""),
    params: pushed.flatMap((p) => p.params),
    exact,
  };
}

/** One comparison on a vec0 metadata column, as sqlite-vec runs it inside the KNN scan. */
function pushVecComparison(c: FilterComparison): { pushed: SqlFragment; exact: boolean } | undefined {
  if (!VEC_COLS.has(c.field)) return undefined;
  const col = c.field as VecMetadataColumn;
  const v = c.value;
  if (c.op === "eq" && (typeof v === "string" || v === null)) {
    // '' stands for both null and the empty string there: exact only for non-empty strings.
    return { pushed: { sql: `${col} = ?`, params: [vecColumnValue(v)] }, exact: Boolean(v) };
  }
  if (c.op === "ne" && typeof v === "string" && v !== "") {
    return { pushed: { sql: `${col} != ?`, params: [vecColumnValue(v)] }, exact: true };
  }
  if (c.op === "in" && Array.isArray(v)) {
    // Non-string values can never match these TEXT-or-NULL fields, so dropping them is exact.
    const stored = v.filter((x) => typeof x === "string" || x === null).map((x) => vecColumnValue(x));
    if (stored.length === 0) return undefined; // matches nothing; let the full filter say so
    return {
      pushed: { sql: `${col} IN (${stored.map(() => "?").join(", ")})`, params: stored },
      exact: !stored.includes(""),
    };
  }
  return undefined;
}

/** The key a filter's pass rate is remembered under (see shared/pass-rates.ts); none without a filter. */
export function passRateKey(w: SqlFragment): string | undefined {
  return w.sql === "1" ? undefined : `${w.sql}\u0000${JSON.stringify(w.params)}`;
}
