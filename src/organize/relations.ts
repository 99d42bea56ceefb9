import type { MemoryEdge } from "../core/schema/memory.js";
import type { RelationList } from "./prompts.js";

/**
 * Turn the LLM's index-based relations into edges between member ids: indices must be integers
 * in range, self-relations and repeats are dropped (whatever the model says, no dangling edge).
 */
export function relationEdges(relations: RelationList["relations"], memberIds: string[]): MemoryEdge[] {
  const seen = new Set<string>();
  const out: MemoryEdge[] = [];
  for (const r of relations) {
    const source = memberIds[r.source];
    const target = memberIds[r.target];
    if (!Number.isInteger(r.source) || !Number.isInteger(r.target) || r.source < 0 || r.target < 0) continue;
    if (source === undefined || target === undefined || source === target) continue;
    const k = `${source}>${r.relation}>${target}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ source, target, type: r.relation });
  }
  return out;
}
