import { newId } from "../core/ids.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import { TextualMemoryItem } from "../core/schema/memory.js";
import { nowIso } from "../core/time.js";
import { freshPair, inheritParents } from "./fresh.js";
import { earliest, olderFirst, revise, unionByJson, unionStrings } from "./node-ops.js";
import type { MergedMemory } from "./prompts.js";

/**
 * The node that replaces two redundant memories: a NEW node at version 1 whose history holds
 * one entry per original (`version: 0`, the original's text, `update_type: "merge"`,
 * `archived_memory_id`: the original's id). Version-0 entries are merge inputs, not earlier
 * versions of this node. Tags, sources and usage are unions; valid_at is the earliest;
 * user/session/cube come from the older original (session only when both share it).
 */
export function buildMergedNode(
  a: TextualMemoryItem,
  b: TextualMemoryItem,
  merged: MergedMemory,
  now = nowIso(),
): TextualMemoryItem {
  const [older, newer] = [a, b].sort(olderFirst) as [TextualMemoryItem, TextualMemoryItem];
  return TextualMemoryItem.parse({
    id: newId(),
    memory: merged.memory.trim(),
    metadata: {
      user_id: older.metadata.user_id,
      cube_id: older.metadata.cube_id,
      session_id: older.metadata.session_id === newer.metadata.session_id ? older.metadata.session_id : null,
      status: "activated",
      type: older.metadata.type === newer.metadata.type ? older.metadata.type : "fact",
      key: merged.key.trim() || older.metadata.key || null,
      tags: unionStrings(
        older.metadata.tags,
        newer.metadata.tags,
        merged.tags.map((t) => t.trim()).filter(Boolean),
      ),
      source: older.metadata.source,
      visibility: older.metadata.visibility,
      memory_type: older.metadata.memory_type,
      sources: unionByJson(older.metadata.sources, newer.metadata.sources),
      usage: unionByJson(older.metadata.usage, newer.metadata.usage),
      background: older.metadata.background,
      valid_at: earliest(older.metadata.valid_at, newer.metadata.valid_at),
      created_at: now,
      updated_at: now,
      version: 1,
      history: [older, newer].map((o) => ({
        version: 0,
        memory: o.memory,
        update_type: "merge",
        archived_memory_id: o.id,
        created_at: now,
      })),
      evolve_to: [],
    },
  });
}

/**
 * Write an LLM merge in one transaction: the merged node with its vector, both originals
 * archived (history entry `merge` with `merged_into`, version bumped) with MERGED_TO edges to
 * it, and their PARENT edges carried over. Null, writing nothing, if either original changed.
 */
export async function writeMergedNode(
  store: MemoryStore,
  a: TextualMemoryItem,
  b: TextualMemoryItem,
  node: TextualMemoryItem,
  embedding: Float32Array,
): Promise<string | null> {
  return store.transaction(async (tx) => {
    const pair = await freshPair(tx, a, b);
    if (!pair) return null;
    const now = nowIso();
    await tx.addItems([{ item: node, embedding }]);
    for (const original of pair) {
      const archived = revise(
        original,
        { metadata: { status: "archived" } },
        { update_type: "merge", extra: { merged_into: node.id } },
        now,
      );
      await tx.updateItem(archived.id, archived);
    }
    await tx.addEdges(pair.map((o) => ({ source: o.id, target: node.id, type: "MERGED_TO" as const })));
    await inheritParents(
      tx,
      pair.map((o) => o.id),
      node.id,
    );
    return node.id;
  });
}
