import { z } from "zod";
import { InvalidInputError } from "../errors/invalid-input-error.js";

/**
 * Metadata filter DSL, MongoDB-like:
 * `{ user_id: "u1", created_at: { gte: "2025-01-01" }, tags: { contains: "food" },
 *    or: [{ memory_type: "UserMemory" }, { memory_type: "LongTermMemory" }] }`.
 * Keys of one object are AND-ed; `and` / `or` take lists of filters. A bare value means `eq`.
 * Fields are metadata fields (snake_case) plus `id` and `memory`.
 */
export type Scalar = string | number | boolean | null;
export interface FieldCondition {
  eq?: Scalar;
  ne?: Scalar;
  in?: Scalar[];
  gt?: string | number;
  gte?: string | number;
  lt?: string | number;
  lte?: string | number;
  /** For array fields (tags, evolve_to): the array holds this value. For strings: substring. */
  contains?: Scalar;
}
/** The metadata filter DSL as users write it: field equality, operators (`eq ne in gt gte lt lte contains`), nested `and`/`or`. */
export type MemoryFilter = {
  and?: MemoryFilter[];
  or?: MemoryFilter[];
} & { [field: string]: Scalar | FieldCondition | MemoryFilter[] | undefined };

export const FIELD_NAME = /^[a-z_][a-z0-9_]{0,63}$/;
const OPS = ["eq", "ne", "in", "gt", "gte", "lt", "lte", "contains"] as const;
export type FilterOp = (typeof OPS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const condition = z.strictObject({
  eq: scalar.optional(),
  ne: scalar.optional(),
  in: z.array(scalar).optional(),
  gt: z.union([z.string(), z.number()]).optional(),
  gte: z.union([z.string(), z.number()]).optional(),
  lt: z.union([z.string(), z.number()]).optional(),
  lte: z.union([z.string(), z.number()]).optional(),
  contains: scalar.optional(),
});

/** A filter in normal form: every leaf is one (field, op, value). */
export type FilterNode =
  | { kind: "and"; children: FilterNode[] }
  | { kind: "or"; children: FilterNode[] }
  | { kind: "cmp"; field: string; op: FilterOp; value: Scalar | Scalar[] };

/** Validate a filter and bring it to normal form; throws InvalidInputError on anything odd. */
export function normalizeFilter(filter: unknown, path = "filter"): FilterNode {
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
    throw badFilter(path, "must be an object");
  }
  const children: FilterNode[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === "and" || key === "or") {
      if (!Array.isArray(value)) throw badFilter(`${path}.${key}`, "must be a list of filters");
      children.push({ kind: key, children: value.map((f, i) => normalizeFilter(f, `${path}.${key}[${i}]`)) });
      continue;
    }
    if (!FIELD_NAME.test(key)) throw badFilter(`${path}.${key}`, "is not a valid field name");
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const parsed = condition.safeParse(value);
      if (!parsed.success) throw badFilter(`${path}.${key}`, `accepts only the operators ${OPS.join(", ")}`);
      for (const op of OPS) {
        const v = parsed.data[op];
        if (v !== undefined) children.push({ kind: "cmp", field: key, op, value: v });
      }
      continue;
    }
    const s = scalar.safeParse(value);
    if (!s.success)
      throw badFilter(`${path}.${key}`, "must be a string, number, boolean, null or an operator object");
    children.push({ kind: "cmp", field: key, op: "eq", value: s.data });
  }
  if (children.length === 1) return children[0] as FilterNode;
  return { kind: "and", children };
}

function badFilter(path: string, what: string): InvalidInputError {
  return new InvalidInputError({
    message: `${path} ${what}`,
    hint: 'filters look like {"user_id": "u1", "tags": {"contains": "food"}, "or": [...]}',
  });
}

/** Reads a field of an item the way every store must: `id`, `memory`, else metadata[field]. */
export function fieldOf(
  item: { id: string; memory: string; metadata: Record<string, unknown> },
  field: string,
) {
  if (field === "id") return item.id;
  if (field === "memory") return item.memory;
  return item.metadata[field];
}

/** Reference semantics of the DSL; stores compile it to their query language and must agree. */
export function matchesFilter(
  item: { id: string; memory: string; metadata: Record<string, unknown> },
  node: FilterNode,
): boolean {
  switch (node.kind) {
    case "and":
      return node.children.every((c) => matchesFilter(item, c));
    case "or":
      return node.children.some((c) => matchesFilter(item, c));
    case "cmp":
      return compare(fieldOf(item, node.field), node.op, node.value);
  }
}

function compare(actual: unknown, op: FilterOp, expected: Scalar | Scalar[]): boolean {
  const a = actual === undefined ? null : actual;
  switch (op) {
    case "eq":
      return a === expected;
    case "ne":
      return a !== expected;
    case "in":
      return Array.isArray(expected) && expected.some((e) => e === a);
    case "contains":
      if (Array.isArray(a)) return a.includes(expected);
      return typeof a === "string" && typeof expected === "string" && a.includes(expected);
    default: {
      if (a === null || expected === null || Array.isArray(expected)) return false;
      if (typeof a !== typeof expected) return false;
      const x = a as string | number;
      const y = expected as string | number;
      return op === "gt" ? x > y : op === "gte" ? x >= y : op === "lt" ? x < y : x <= y;
    }
  }
}
