/**
 * The filter DSL as a Cypher boolean over a memory node `n`, with the reference semantics of
 * `matchesFilter` (core/schema/filter.ts) over the properties ./properties.ts writes. Every value
 * and every field name is a parameter (`n[$p0]` reads a property whose name is a parameter), so
 * no user text ever becomes Cypher. The result is never Cypher null: comparisons that could be
 * null (a missing property) are wrapped in `coalesce(…, false)`, so `ne` negates cleanly.
 */
import type { FilterNode, FilterOp, Scalar } from "../../core/schema/filter.js";
import { elementKey, SYSTEM } from "./properties.js";

/** Cypher text with its parameters. */
export interface CypherQuery {
  text: string;
  params: Record<string, unknown>;
}

/** Names parameters `$p0`, `$p1`, ... for one query, so fragments never collide. */
export class Params {
  readonly values: Record<string, unknown> = {};
  private next = 0;

  /** Bind a value; returns its `$name` for the Cypher text. */
  add(value: unknown): string {
    const name = `p${this.next++}`;
    this.values[name] = value;
    return `$${name}`;
  }
}

const RANGE = { gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

/** How a field is read: `id` and `memory` are the node's own string properties. */
interface FieldRef {
  /** The value, e.g. `n.id` or `n[$p3]`. */
  value: string;
  /** Cypher that is true when the property holds JSON text (a map or mixed list), or null for id/memory. */
  isJson: string | null;
  /** The field name parameter (metadata fields only). */
  name: string | null;
}

function fieldRef(field: string, alias: string, params: Params): FieldRef {
  if (field === "id" || field === "memory") return { value: `${alias}.${field}`, isJson: null, name: null };
  const name = params.add(field);
  return { value: `${alias}[${name}]`, isJson: `${name} IN ${alias}.${SYSTEM.json}`, name };
}

/** `expr AND NOT isJson`: a JSON-encoded property is a map or list, never an equal scalar. */
function notJson(expr: string, ref: FieldRef): string {
  return ref.isJson ? `${expr} AND NOT ${ref.isJson}` : expr;
}

function eq(ref: FieldRef, value: Scalar, params: Params): string {
  if (value === null) return `${ref.value} IS NULL`;
  return `coalesce(${notJson(`${ref.value} = ${params.add(value)}`, ref)}, false)`;
}

function contains(ref: FieldRef, field: string, value: Scalar, alias: string, params: Params): string {
  const parts: string[] = [];
  // Lists: one lookup in the element index, whatever the element types (null included).
  if (ref.name) parts.push(`${params.add(elementKey(field, value))} IN ${alias}.${SYSTEM.elems}`);
  // Strings: substring. CASE keeps CONTAINS away from lists, which it does not accept.
  if (typeof value === "string") {
    const isString = notJson(`${ref.value} IS :: STRING NOT NULL`, ref);
    parts.push(`CASE WHEN ${isString} THEN ${ref.value} CONTAINS ${params.add(value)} ELSE false END`);
  }
  return join(parts, "OR", "false");
}

function compare(node: Extract<FilterNode, { kind: "cmp" }>, alias: string, params: Params): string {
  const ref = fieldRef(node.field, alias, params);
  const op: FilterOp = node.op;
  const value = node.value;
  switch (op) {
    case "eq":
      return eq(ref, value as Scalar, params);
    case "ne":
      return value === null ? `${ref.value} IS NOT NULL` : `NOT ${eq(ref, value as Scalar, params)}`;
    case "in": {
      const list = (value as Scalar[]).filter((v) => v !== null);
      const parts: string[] = [];
      if (list.length > 0)
        parts.push(`coalesce(${notJson(`${ref.value} IN ${params.add(list)}`, ref)}, false)`);
      if ((value as Scalar[]).includes(null)) parts.push(`${ref.value} IS NULL`);
      return join(parts, "OR", "false");
    }
    case "contains":
      return contains(ref, node.field, value as Scalar, alias, params);
    default:
      // Values of different types compare to null in Cypher, which coalesce turns into false,
      // as matchesFilter's typeof check does.
      return `coalesce(${notJson(`${ref.value} ${RANGE[op]} ${params.add(value)}`, ref)}, false)`;
  }
}

function join(parts: string[], op: "AND" | "OR", empty: string): string {
  if (parts.length === 0) return empty;
  if (parts.length === 1) return parts[0] as string;
  return `(${parts.join(` ${op} `)})`;
}

/**
 * Compile a normalised filter to a Cypher boolean over node `alias`, binding values in `params`.
 *
 * @example
 * const params = new Params();
 * compileFilter(normalizeFilter({ user_id: "u1" }), "n", params);
 * // "coalesce(n[$p0] = $p1 AND NOT $p0 IN n.memosJson, false)", params.values = {p0: "user_id", p1: "u1"}
 */
export function compileFilter(node: FilterNode, alias: string, params: Params): string {
  switch (node.kind) {
    case "and":
      return join(
        node.children.map((c) => compileFilter(c, alias, params)),
        "AND",
        "true",
      );
    case "or":
      return join(
        node.children.map((c) => compileFilter(c, alias, params)),
        "OR",
        "false",
      );
    case "cmp":
      return compare(node, alias, params);
  }
}

/** `n.memosCube = $cube` and the filter, if any: the WHERE of every query over one cube's memories. */
export function cubeWhere(
  alias: string,
  cube: string,
  filter: FilterNode | undefined,
  params: Params,
): string {
  const scope = `${alias}.${SYSTEM.cube} = ${params.add(cube)}`;
  return filter ? `${scope} AND ${compileFilter(filter, alias, params)}` : scope;
}
