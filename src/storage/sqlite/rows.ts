import type { EdgeType, MemoryEdge, TextualMemoryItem } from "../../core/schema/memory.js";

export interface ItemRow {
  rid: number;
  id: string;
  memory: string;
  /** JSON text: selected as json(metadata) from the JSONB column. */
  metadata: string;
}

export interface EdgeRow {
  source: string;
  target: string;
  type: string;
  metadata: string;
}

/**
 * Stored metadata is the zod-parsed form (defaults filled, embedding removed), so a JSON parse
 * gives back exactly what was validated; no second schema pass is needed on every read.
 */
export function toItem(row: ItemRow): TextualMemoryItem {
  return { id: row.id, memory: row.memory, metadata: JSON.parse(row.metadata) } as TextualMemoryItem;
}

export function toEdge(row: EdgeRow): MemoryEdge {
  return {
    source: row.source,
    target: row.target,
    type: row.type as EdgeType,
    ...(JSON.parse(row.metadata) as object),
  };
}
