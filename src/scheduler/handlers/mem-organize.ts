import { z } from "zod";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { TreeTextMemory } from "../../memory/textual/tree/tree-memory.js";
import type { ReorganizeReport, StructureReport } from "../../organize/types.js";
import type { TaskHandler } from "../types.js";
import { cubeOf, type HandlerDeps, payloadOf } from "./context.js";

/**
 * `mem_organize`: integrate the memories an add wrote (duplicates merged, conflicts resolved,
 * FOLLOWS edges) and/or rebuild the cube's structure (PARENT topic summaries, relation edges).
 */
export const MemOrganizePayload = z
  .object({
    memory_ids: z.array(z.string().min(1)).max(10_000).optional(),
    /** Rebuild topic summaries and relation edges (needs an LLM for summaries). */
    structure: z.boolean().default(false),
    memory_type: z.string().optional(),
  })
  .refine((p) => (p.memory_ids?.length ?? 0) > 0 || p.structure, {
    message: "give memory_ids to integrate, or structure: true",
  });

/** What a `mem_organize` task reports. */
export interface MemOrganizeResult {
  integrated?: ReorganizeReport;
  structure?: StructureReport;
}

/**
 * The reorganizer (src/organize) run in the background on a tree cube. A general cube has no
 * graph to organize: the task fails with invalid_input, once (MOS queues this label for tree
 * cubes only).
 *
 * @example
 * await handler({ ...task, label: "mem_organize", payload: { structure: true } }, context);
 */
export function memOrganizeHandler({ mos }: HandlerDeps): TaskHandler {
  return async (task) => {
    const payload = payloadOf(MemOrganizePayload, task);
    const cube = await cubeOf(mos, task, "write");
    const text = cube.text;
    if (!(text instanceof TreeTextMemory))
      throw new InvalidInputError({
        message: `cube ${task.cube_id} is not a tree cube: mem_organize has no graph to organize`,
        hint: "create the cube with --text tree_text to have it reorganized",
      });
    const out: MemOrganizeResult = {};
    if (payload.memory_ids && payload.memory_ids.length > 0) {
      // Only what is still activated: a memory merged or upgraded meanwhile is already organized.
      const items = (await text.store.getItems(payload.memory_ids)).filter(
        (i) => i.metadata.status === "activated",
      );
      out.integrated = await text.reorganizer.integrate(items);
    }
    if (payload.structure) out.structure = await text.reorganize({ memoryType: payload.memory_type });
    return out;
  };
}
