import type { FilterNode } from "../../core/schema/filter.js";

/** One comparison of a filter, the unit a store pushes down or leaves for afterwards. */
export type FilterComparison = Extract<FilterNode, { kind: "cmp" }>;

/**
 * What a store can run of one comparison inside its candidate query: its own form of it (a SQL
 * fragment, a payload condition), and whether that form selects exactly what the comparison
 * does. Undefined: the store cannot run it there.
 */
export type PushComparison<P> = (cmp: FilterComparison) => { pushed: P; exact: boolean } | undefined;

/** The pushed parts of a filter, and whether together they are the whole filter. */
export interface Pushdown<P> {
  pushed: P[];
  /** True when the pushed parts select exactly what the filter does: no over-fetch is needed. */
  exact: boolean;
}

/**
 * Split a filter into what a store's candidate query can run and what must run afterwards. Only
 * top-level conjuncts are pushed (an `or` or an unsupported comparison stays behind), so the
 * pushed part is always implied by the full filter: candidates it drops could never match, and
 * applying the full filter afterwards stays correct. `exact` says nothing stayed behind.
 *
 * @example
 * const { pushed, exact } = pushDownConjuncts(node, (c) =>
 *   c.field === "user_id" && c.op === "eq" && typeof c.value === "string"
 *     ? { pushed: { sql: "user_id = ?", params: [c.value] }, exact: true }
 *     : undefined,
 * );
 */
export function pushDownConjuncts<P>(node: FilterNode | undefined, push: PushComparison<P>): Pushdown<P> {
  if (!node) return { pushed: [], exact: true };
  const conjuncts: FilterNode[] = [];
  const flatten = (n: FilterNode) => {
    if (n.kind === "and") n.children.forEach(flatten);
    else conjuncts.push(n);
  };
  flatten(node);
  const pushed: P[] = [];
  let exact = true;
  for (const c of conjuncts) {
    const part = c.kind === "cmp" ? push(c) : undefined;
    if (!part) {
      exact = false;
      continue;
    }
    pushed.push(part.pushed);
    if (!part.exact) exact = false;
  }
  return { pushed, exact };
}
