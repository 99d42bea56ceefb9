/**
 * The filter DSL as Qdrant payload conditions, as far as they select exactly what
 * `matchesFilter` does. Qdrant's `match` also matches an array that holds the value, and it has
 * no notion of "missing equals null", so only comparisons whose field has a known type are pushed:
 * string fields for eq / ne / in, string-list fields for contains. Everything else, and anything
 * inside an `or`, runs afterwards on the payload (see shared/filter-pushdown.ts); `exact` says
 * whether the pushed part is the whole filter.
 */
import type { FilterNode } from "../../core/schema/filter.js";
import { type FilterComparison, pushDownConjuncts } from "../shared/filter-pushdown.js";
import { PAYLOAD } from "./points.js";

/** A Qdrant field condition (the subset this store writes). */
export type QdrantCondition =
  | { key: string; match: { value: string } }
  | { key: string; match: { any: string[] } }
  | { key: string; match: { text: string } };

/** A Qdrant filter: every `must`, at least one `should` (when any), no `must_not`. */
export interface QdrantFilter {
  must?: QdrantCondition[];
  should?: QdrantCondition[];
  must_not?: QdrantCondition[];
}

/** Metadata fields the schema types as a string (or null): `match` on them is plain equality. */
const STRING_FIELDS = new Set([
  "user_id",
  "session_id",
  "cube_id",
  "status",
  "type",
  "key",
  "source",
  "visibility",
  "memory_type",
  "memory_time",
  "background",
  "created_at",
  "updated_at",
  "valid_at",
  "invalid_at",
]);
/** Metadata fields the schema types as a list of strings: `match` on them is membership. */
const STRING_LIST_FIELDS = new Set(["tags", "evolve_to", "entities"]);

/** The payload key of a filter field. */
export function payloadKey(field: string): string {
  return field === "id" || field === "memory" ? field : `metadata.${field}`;
}

type Pushed = { clause: "must" | "must_not"; condition: QdrantCondition };

function push(cmp: FilterComparison): { pushed: Pushed; exact: boolean } | undefined {
  const key = payloadKey(cmp.field);
  const isString = cmp.field === "id" || cmp.field === "memory" || STRING_FIELDS.has(cmp.field);
  const { op, value } = cmp;
  if (isString && op === "eq" && typeof value === "string") {
    return { pushed: { clause: "must", condition: { key, match: { value } } }, exact: true };
  }
  if (isString && op === "ne" && typeof value === "string") {
    return { pushed: { clause: "must_not", condition: { key, match: { value } } }, exact: true };
  }
  if (
    isString &&
    op === "in" &&
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === "string")
  ) {
    return { pushed: { clause: "must", condition: { key, match: { any: value as string[] } } }, exact: true };
  }
  if (STRING_LIST_FIELDS.has(cmp.field) && op === "contains" && typeof value === "string") {
    return { pushed: { clause: "must", condition: { key, match: { value } } }, exact: true };
  }
  return undefined;
}

/**
 * The Qdrant filter for one cube and a DSL filter: the cube, plus the conjuncts Qdrant runs
 * exactly. `exact` false: apply `matchesFilter` to what comes back.
 *
 * @example
 * qdrantFilter("c1", normalizeFilter({ user_id: "u1", priority: { gt: 2 } }));
 * // { filter: { must: [{key: "memos_cube", match: {value: "c1"}}, {key: "metadata.user_id", match: {value: "u1"}}] }, exact: false }
 */
export function qdrantFilter(
  cube: string,
  node: FilterNode | undefined,
): { filter: QdrantFilter; exact: boolean } {
  const { pushed, exact } = pushDownConjuncts(node, push);
  const must: QdrantCondition[] = [{ key: PAYLOAD.cube, match: { value: cube } }];
  const mustNot: QdrantCondition[] = [];
  for (const p of pushed) (p.clause === "must" ? must : mustNot).push(p.condition);
  return { filter: mustNot.length > 0 ? { must, must_not: mustNot } : { must }, exact };
}
