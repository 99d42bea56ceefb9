/** Shared fixtures of the tree memory tests: a memory over in-memory SQLite and a model-free embedder. */
import type { Embedder } from "../../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../../core/interfaces/language-model.js";
import type { MemoryStore } from "../../../core/interfaces/store.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import { resolveMerged } from "../../../organize/index.js";
import { bagOfWordsEmbedder } from "../../../organize/test-helpers.js";
import { createSqliteMemoryStore } from "../../../storage/sqlite/index.js";
import { TreeTextMemory, type TreeTextMemoryOptions } from "./index.js";

export { bagOfWordsEmbedder };

export async function newTree(
  options: Partial<Omit<TreeTextMemoryOptions, "store">> & { llm?: LanguageModel; embedder?: Embedder } = {},
): Promise<TreeTextMemory> {
  const store = await createSqliteMemoryStore({ path: ":memory:" });
  return new TreeTextMemory({ embedder: bagOfWordsEmbedder(), ...options, store });
}

export const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

/** A memory stated at a time in the past (created and updated then). */
export function old(memory: string, days: number, memoryType = "LongTermMemory") {
  const t = daysAgo(days);
  return { memory, metadata: { memory_type: memoryType, created_at: t, updated_at: t } };
}

/**
 * The activated memory that holds `id`'s content now: itself, or where MERGED_TO edges and
 * `evolve_to` lead (followed transitively). A fact invalidated by a conflict is still activated
 * (bi-temporal: it held until invalid_at). With `acceptEvicted`, a memory archived by capacity
 * eviction also counts: it is kept, readable, just no longer searched. Null when the trail ends
 * nowhere.
 */
export async function holderOf(
  store: MemoryStore,
  id: string,
  options: { acceptEvicted?: boolean } = {},
): Promise<TextualMemoryItem | null> {
  const seen = new Set<string>();
  let frontier = [id];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const at of frontier) {
      if (seen.has(at)) continue;
      seen.add(at);
      const node = await store.getItem(at);
      if (!node) continue;
      if (node.metadata.status === "activated") return node;
      if (
        options.acceptEvicted &&
        node.metadata.status === "archived" &&
        node.metadata.history.at(-1)?.update_type === "evicted"
      ) {
        return node;
      }
      const merged = await resolveMerged(store, at);
      if (merged && merged.id !== at) next.push(merged.id);
      next.push(...node.metadata.evolve_to);
    }
    frontier = next;
  }
  return null;
}
