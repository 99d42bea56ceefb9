import { errorMessage } from "../core/errors/error-message.js";
import { MemosError } from "../core/errors/memos-error.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { ParametricMemoryItem } from "../memory/parametric/items.js";

/** Memories of one cube, as MemOS groups them: `{cube_id, memories}`. */
export interface CubeMemories<T = TextualMemoryItem> {
  cube_id: string;
  memories: T[];
  /** How many memories the cube holds in all (matching the filter), when listing a page. */
  total_nodes?: number;
}

/** A cube left out of a cross-cube read because it failed (unreachable embedder, missing or corrupt files). */
export interface CubeFailure {
  cube_id: string;
  /** The error's code (MemosError codes; "internal" for anything else). */
  code: string;
  message: string;
  hint?: string;
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
  /** Parametric memories: the active LoRA adapters of each cube that has some (what chat applies). */
  para_mem: CubeMemories<ParametricMemoryItem>[];
  /** Preference memories of cubes that have one (see preference-seam.ts). */
  pref_mem: CubeMemories[];
  warnings: string[];
  /**
   * Cubes that failed while others answered (ours): a read over several cubes degrades per cube
   * instead of failing whole. Each also has a line in `warnings`. When every cube fails, the call
   * throws the first cube's error instead.
   */
  failed_cubes: CubeFailure[];
}

export function emptySearchResult(): MOSSearchResult {
  return { text_mem: [], act_mem: [], para_mem: [], pref_mem: [], warnings: [], failed_cubes: [] };
}

/** The failure of one cube as the result reports it. */
export function cubeFailure(cubeId: string, error: unknown): CubeFailure {
  if (MemosError.isInstance(error)) return { cube_id: cubeId, ...error.toJSON() };
  return {
    cube_id: cubeId,
    code: "internal",
    message: errorMessage(error),
  };
}

/** The warning line of a failed cube. */
export function failureWarning(f: CubeFailure): string {
  return `cube "${f.cube_id}" skipped (${f.code}): ${f.message}${f.hint ? ` (hint: ${f.hint})` : ""}`;
}
