import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import { type FilterNode, matchesFilter, normalizeFilter } from "../core/schema/filter.js";
import type { RelevantSubgraph, SubgraphOptions, TreeSearchOptions, TreeSearchResult } from "./types.js";

/** What the walk needs from a searcher: its search and its store (no import of the Searcher class). */
export interface SubgraphSource {
  readonly store: MemoryStore;
  search(query: string, options: TreeSearchOptions): Promise<TreeSearchResult>;
}

/** Deepest walk we allow: the UI shows a neighbourhood, not the whole cube. */
export const MAX_SUBGRAPH_DEPTH = 6;

/**
 * Search for seeds, walk `depth` hops from them in the store, and keep the nodes the caller may
 * see (filter; status unless includeInactive) with the edges among them. The store's subgraph
 * has no filter, so the filter is applied here with the DSL's reference semantics.
 *
 * @example
 * const { nodes, edges, seeds } = await relevantSubgraph(searcher, "Priya's hike", { depth: 2, filter: { user_id: "priya" } });
 */
export async function relevantSubgraph(
  searcher: SubgraphSource,
  query: string,
  options: SubgraphOptions = {},
): Promise<RelevantSubgraph> {
  const depth = options.depth ?? 2;
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_SUBGRAPH_DEPTH) {
    throw new InvalidInputError({
      message: `depth must be an integer from 0 to ${MAX_SUBGRAPH_DEPTH}, got ${String(depth)}`,
      hint: "e.g. { depth: 2 }",
    });
  }
  const search = await searcher.search(query, {
    topK: options.topK ?? 5,
    mode: options.mode,
    filter: options.filter,
    includeInactive: options.includeInactive,
  });
  const seeds = search.hits.map((h) => h.item.id);
  const sub = await searcher.store.subgraph(
    seeds,
    depth,
    options.edgeTypes ? { types: options.edgeTypes } : {},
  );
  const parts: FilterNode[] = [];
  if (!options.includeInactive) parts.push({ kind: "cmp", field: "status", op: "eq", value: "activated" });
  if (options.filter) parts.push(normalizeFilter(options.filter));
  const node: FilterNode = { kind: "and", children: parts };
  const seedSet = new Set(seeds);
  const nodes = sub.nodes.filter((n) => seedSet.has(n.id) || matchesFilter(n, node));
  const kept = new Set(nodes.map((n) => n.id));
  const edges = sub.edges.filter((e) => kept.has(e.source) && kept.has(e.target));
  return { nodes, edges, seeds, search };
}
