import type { MemoryStore } from "../core/interfaces/store.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";

/**
 * Re-read nodes inside a transaction and check they are as they were when the decision was
 * made (same version, still activated). LLM calls happen outside transactions, so another
 * writer may have changed a node meanwhile; then the decision is dropped, never half-applied.
 */
export async function freshPair(
  tx: MemoryStore,
  a: TextualMemoryItem,
  b: TextualMemoryItem,
): Promise<[TextualMemoryItem, TextualMemoryItem] | null> {
  const [fa, fb] = await Promise.all([tx.getItem(a.id), tx.getItem(b.id)]);
  if (!fa || !fb) return null;
  for (const [fresh, seen] of [
    [fa, a],
    [fb, b],
  ] as const) {
    if (fresh.metadata.status !== "activated" || fresh.metadata.version !== seen.metadata.version)
      return null;
  }
  return [fa, fb];
}

/**
 * Give `toId` the PARENT edges that point at the nodes it replaces, so a merge keeps the node's
 * place in the topic hierarchy.
 */
export async function inheritParents(tx: MemoryStore, fromIds: string[], toId: string): Promise<void> {
  const edges = [];
  for (const id of fromIds) {
    for (const e of await tx.getEdges(id, { direction: "in", types: ["PARENT"] })) {
      if (e.source !== toId) edges.push({ source: e.source, target: toId, type: "PARENT" as const });
    }
  }
  if (edges.length > 0) await tx.addEdges(edges);
}
