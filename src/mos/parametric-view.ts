import { type ParametricMemoryItem, toParametricItem } from "../memory/parametric/items.js";
import type { MOS } from "./mos.js";
import type { CubeMemories } from "./search-result.js";

/**
 * Every LoRA adapter (active or not) of the named cubes, else of each cube the user reads, in
 * MemOS's `{cube_id, memories}` shape: REST `get_all` with `memory_type: "para_mem"`. Each cube
 * is opened through the ACL (read).
 *
 * @example
 * await parametricMemories(mos, "alice"); // [{ cube_id: "alice/default", memories: [{ id: "style", … }], total_nodes: 1 }]
 */
export async function parametricMemories(
  mos: MOS,
  userId: string,
  cubeIds?: string[],
): Promise<Required<CubeMemories<ParametricMemoryItem>>[]> {
  const out: Required<CubeMemories<ParametricMemoryItem>>[] = [];
  for (const id of cubeIds ?? mos.home.readableCubes(userId)) {
    const cube = await mos.openCube(id, { userId, action: "read" });
    const memories = (cube.parametric?.list() ?? []).map(toParametricItem);
    out.push({ cube_id: cube.cubeId, memories, total_nodes: memories.length });
  }
  return out;
}
