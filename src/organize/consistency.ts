import type { MemoryStore } from "../core/interfaces/store.js";
import type { MemoryEdge, TextualMemoryItem } from "../core/schema/memory.js";

/** Result of {@link checkGraphConsistency}: `ok` when `problems` is empty. */
export interface ConsistencyReport {
  ok: boolean;
  problems: string[];
}

/**
 * Whether an archived node was archived by a merge: its latest history entry is a merge (the
 * change that archived it), or an entry records `merged_into`. A node that survived a merge and
 * was evicted later is not one (its latest entry is the eviction).
 */
export function wasMergedAway(item: TextualMemoryItem): boolean {
  if (item.metadata.status !== "archived") return false;
  const history = item.metadata.history;
  return history.at(-1)?.update_type === "merge" || history.some((h) => typeof h.merged_into === "string");
}

/**
 * Check a graph export: every edge's ends exist; every node archived by a merge has a MERGED_TO
 * edge to an existing node (to the `merged_into` it records, when it records one); every
 * `evolve_to` id exists; MERGED_TO has no cycles.
 *
 * @example
 * checkGraphData({ nodes, edges }); // { ok: false, problems: ["edge a -RELATE_TO-> b: target b does not exist"] }
 */
export function checkGraphData(data: { nodes: TextualMemoryItem[]; edges: MemoryEdge[] }): ConsistencyReport {
  const problems: string[] = [];
  const nodes = new Map(data.nodes.map((n) => [n.id, n]));
  const mergedTo = new Map<string, string[]>();
  for (const e of data.edges) {
    const label = `edge ${e.source} -${e.type}-> ${e.target}`;
    if (!nodes.has(e.source)) problems.push(`${label}: source ${e.source} does not exist`);
    if (!nodes.has(e.target)) problems.push(`${label}: target ${e.target} does not exist`);
    if (e.type === "MERGED_TO") mergedTo.set(e.source, [...(mergedTo.get(e.source) ?? []), e.target]);
  }
  for (const n of data.nodes) {
    for (const id of n.metadata.evolve_to) {
      if (!nodes.has(id)) problems.push(`node ${n.id}: evolve_to ${id} does not exist`);
    }
    if (!wasMergedAway(n)) continue;
    const targets = (mergedTo.get(n.id) ?? []).filter((t) => nodes.has(t));
    const recorded = n.metadata.history.findLast((h) => typeof h.merged_into === "string")?.merged_into as
      | string
      | undefined;
    if (targets.length === 0)
      problems.push(`node ${n.id}: archived by a merge but has no MERGED_TO edge to an existing node`);
    else if (recorded !== undefined && !targets.includes(recorded)) {
      problems.push(`node ${n.id}: merged into ${recorded} but has no MERGED_TO edge to it`);
    }
  }
  // Cycle check on MERGED_TO: iterative DFS with colours (0 new, 1 on the path, 2 done).
  const colour = new Map<string, number>();
  for (const start of mergedTo.keys()) {
    if (colour.get(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    colour.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; next: number };
      const outs = mergedTo.get(top.id) ?? [];
      if (top.next >= outs.length) {
        colour.set(top.id, 2);
        stack.pop();
        continue;
      }
      const t = outs[top.next++] as string;
      const c = colour.get(t) ?? 0;
      if (c === 1) problems.push(`MERGED_TO cycle through ${t}`);
      else if (c === 0) {
        colour.set(t, 1);
        stack.push({ id: t, next: 0 });
      }
    }
  }
  return { ok: problems.length === 0, problems };
}

/**
 * Check a store's graph (see {@link checkGraphData}); reads one export of it.
 *
 * @example
 * const { ok, problems } = await checkGraphConsistency(store);
 * if (!ok) console.error(problems.join("\n"));
 */
export async function checkGraphConsistency(
  store: Pick<MemoryStore, "exportAll">,
): Promise<ConsistencyReport> {
  const data = await store.exportAll();
  return checkGraphData({ nodes: data.nodes, edges: data.edges });
}

/**
 * Follow MERGED_TO edges from a node to the node that now holds its content: the first one that
 * is not archived by a merge (itself when it was never merged). Null if the path breaks or loops.
 *
 * @example
 * await resolveMerged(store, archivedId); // id of the activated merged node
 */
export async function resolveMerged(store: MemoryStore, id: string): Promise<TextualMemoryItem | null> {
  const seen = new Set<string>();
  let node = await store.getItem(id);
  while (node && wasMergedAway(node)) {
    if (seen.has(node.id)) return null;
    seen.add(node.id);
    const next = (await store.getEdges(node.id, { direction: "out", types: ["MERGED_TO"] }))[0];
    node = next ? await store.getItem(next.target) : null;
  }
  return node;
}
