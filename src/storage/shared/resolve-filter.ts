/**
 * A store's filter argument, checked and in normal form, the same way on every store. A raw
 * filter goes through normalizeFilter; an already normalised FilterNode is re-validated, since a
 * caller may build one by hand.
 */
import { InvalidInputError } from "../../core/errors/index.js";
import {
  FIELD_NAME,
  type FilterNode,
  type FilterOp,
  type MemoryFilter,
  normalizeFilter,
  type Scalar,
} from "../../core/schema/filter.js";

const OPS: readonly FilterOp[] = ["eq", "ne", "in", "gt", "gte", "lt", "lte", "contains"];

/**
 * Accept a raw filter or an already normalised FilterNode (the store interface allows both) and
 * return the normal form; `undefined` stays undefined (no filter). A FilterNode is recognised by
 * its exact shape and re-validated, since it bypassed normalizeFilter.
 *
 * @example
 * resolveFilter({ user_id: "u1" }); // {kind: "cmp", field: "user_id", op: "eq", value: "u1"}
 */
export function resolveFilter(filter: MemoryFilter | FilterNode | undefined | null): FilterNode | undefined {
  if (filter === undefined || filter === null) return undefined;
  if (isFilterNodeShape(filter)) {
    validateNode(filter, "filter");
    return filter;
  }
  return normalizeFilter(filter);
}

function isFilterNodeShape(f: unknown): f is FilterNode {
  if (typeof f !== "object" || f === null || Array.isArray(f)) return false;
  const o = f as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  if ((o.kind === "and" || o.kind === "or") && Array.isArray(o.children)) {
    return keys.every((k) => k === "kind" || k === "children");
  }
  if (o.kind === "cmp" && typeof o.field === "string" && typeof o.op === "string" && "value" in o) {
    return keys.every((k) => k === "kind" || k === "field" || k === "op" || k === "value");
  }
  return false;
}

function isScalar(v: unknown): v is Scalar {
  return (
    v === null ||
    typeof v === "string" ||
    typeof v === "boolean" ||
    (typeof v === "number" && Number.isFinite(v))
  );
}

function validateNode(node: FilterNode, path: string): void {
  const bad = (what: string) =>
    new InvalidInputError({
      message: `${path} ${what}`,
      hint: 'pass a raw filter such as {"user_id": "u1"}, or the output of normalizeFilter()',
    });
  if (node.kind === "and" || node.kind === "or") {
    node.children.forEach((c, i) => {
      if (!isFilterNodeShape(c)) throw bad(`.children[${i}] is not a filter node`);
      validateNode(c, `${path}.children[${i}]`);
    });
    return;
  }
  if (!FIELD_NAME.test(node.field)) throw bad(`.field "${node.field}" is not a valid field name`);
  if (!OPS.includes(node.op)) throw bad(`.op "${node.op}" is not one of ${OPS.join(", ")}`);
  const v = node.value;
  if (node.op === "in") {
    if (!Array.isArray(v) || !v.every(isScalar)) throw bad(".value must be a list of scalars for `in`");
  } else if (node.op === "gt" || node.op === "gte" || node.op === "lt" || node.op === "lte") {
    if (typeof v !== "string" && !(typeof v === "number" && Number.isFinite(v))) {
      throw bad(`.value must be a string or number for \`${node.op}\``);
    }
  } else if (!isScalar(v)) {
    throw bad(`.value must be a string, number, boolean or null for \`${node.op}\``);
  }
}
