import type { MemoryStore } from "../core/interfaces/store.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { nowIso } from "../core/time.js";
import { freshPair, inheritParents } from "./fresh.js";
import { earliest, olderFirst, revise, unionByJson, unionStrings } from "./node-ops.js";

/**
 * Merge two duplicates without an LLM, in one transaction: the older node (by created_at)
 * survives with the union of tags, sources and usage and the earliest valid_at (history entry
 * `merge` naming the archived id, version bumped); the other is archived (history entry `merge`
 * with `merged_into`, version bumped) with a MERGED_TO edge to the survivor.
 * Returns null, writing nothing, when either node changed since it was read.
 *
 * @example
 * const r = await mergeDuplicates(store, a, b); // { survivorId: a.id, archivedId: b.id }
 */
export async function mergeDuplicates(
  store: MemoryStore,
  a: TextualMemoryItem,
  b: TextualMemoryItem,
): Promise<{ survivorId: string; archivedId: string } | null> {
  return store.transaction(async (tx) => {
    const pair = await freshPair(tx, a, b);
    if (!pair) return null;
    const [survivor, dup] = [...pair].sort(olderFirst) as [TextualMemoryItem, TextualMemoryItem];
    const now = nowIso();
    const kept = revise(
      survivor,
      {
        metadata: {
          tags: unionStrings(survivor.metadata.tags, dup.metadata.tags),
          sources: unionByJson(survivor.metadata.sources, dup.metadata.sources),
          usage: unionByJson(survivor.metadata.usage, dup.metadata.usage),
          valid_at:
            earliest(survivor.metadata.valid_at, dup.metadata.valid_at) ?? survivor.metadata.valid_at ?? null,
        },
      },
      { update_type: "merge", archived_memory_id: dup.id },
      now,
    );
    const archived = revise(
      dup,
      { metadata: { status: "archived" } },
      { update_type: "merge", extra: { merged_into: survivor.id } },
      now,
    );
    await tx.updateItem(kept.id, kept);
    await tx.updateItem(archived.id, archived);
    await tx.addEdges([{ source: dup.id, target: survivor.id, type: "MERGED_TO" }]);
    await inheritParents(tx, [dup.id], survivor.id);
    return { survivorId: survivor.id, archivedId: dup.id };
  });
}
