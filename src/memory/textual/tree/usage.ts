import type { MemoryStore } from "../../../core/interfaces/store.js";
import type { TextualMemoryItem, UsageEntry } from "../../../core/schema/memory.js";
import { USAGE_SATURATION } from "./value.js";

/** Usage entries kept per memory: the most recent ones; older ones no longer change its value. */
export const USAGE_LIMIT = USAGE_SATURATION;

/**
 * Record that `ids` were retrieved for `query` at `time`: appends `{time, query}` to each item's
 * `metadata.usage` (keeping the last {@link USAGE_LIMIT}), in ONE transaction. Items are re-read
 * inside it, so a concurrent update is not overwritten. No version bump and no `updated_at`
 * change: being read is not a change of content. Returns the items as written (ids that no
 * longer exist are skipped).
 *
 * @example
 * await recordUsage(store, hits.map((h) => h.item.id), "where does Alice live?");
 */
export async function recordUsage(
  store: MemoryStore,
  ids: string[],
  query: string,
  time: string = new Date().toISOString(),
): Promise<TextualMemoryItem[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const entry: UsageEntry = { time, query };
  return store.transaction(async (tx) => {
    const items = await tx.getItems(unique);
    const written: TextualMemoryItem[] = [];
    for (const item of items) {
      const usage = [...item.metadata.usage, entry].slice(-USAGE_LIMIT);
      const { embedding: _vector, ...metadata } = item.metadata;
      const next = { ...item, metadata: { ...metadata, usage } as TextualMemoryItem["metadata"] };
      await tx.updateItem(item.id, next);
      written.push(next);
    }
    return written;
  });
}

/**
 * The hits with the usage `written` just recorded for them; text and sources stay as search
 * returned them (a window may have been cut to the turns no better hit holds).
 */
export function withUsage<H extends { item: TextualMemoryItem }>(
  hits: readonly H[],
  written: TextualMemoryItem[],
): H[] {
  const usage = new Map(written.map((i) => [i.id, i.metadata.usage]));
  return hits.map((h) => {
    const u = usage.get(h.item.id);
    return u ? { ...h, item: { ...h.item, metadata: { ...h.item.metadata, usage: u } } } : h;
  });
}
