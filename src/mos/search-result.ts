import type { TextualMemoryItem } from "../core/schema/memory.js";

/** Memories of one cube, as MemOS groups them: `{cube_id, memories}`. */
export interface CubeMemories<T = TextualMemoryItem> {
  cube_id: string;
  memories: T[];
  /** How many memories the cube holds in all (matching the filter), when listing a page. */
  total_nodes?: number;
}

/**
 * What `MOS.search` and `MOS.getAll` return, shaped like MemOS's `MOSSearchResult`: one entry per
 * cube and memory kind. Search hits carry their score in `metadata.relativity`, as MemOS's tree
 * search does. `warnings` (ours) lists what went wrong without failing the call (e.g. usage
 * bookkeeping); MemOS clients can ignore it.
 */
export interface MOSSearchResult {
  text_mem: CubeMemories[];
  /** Activation (KV cache) memories: none yet. */
  act_mem: CubeMemories<unknown>[];
  /** Parametric (LoRA) memories: none yet. */
  para_mem: CubeMemories<unknown>[];
  /** Preference memories of cubes that have one (see preference-seam.ts). */
  pref_mem: CubeMemories[];
  warnings: string[];
}

export function emptySearchResult(): MOSSearchResult {
  return { text_mem: [], act_mem: [], para_mem: [], pref_mem: [], warnings: [] };
}
