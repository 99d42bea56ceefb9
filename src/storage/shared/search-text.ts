import type { TextualMemoryItem } from "../../core/schema/memory.js";

/**
 * What a server store's full-text index searches for a memory: its text, key and tags (the
 * fields SQLite's FTS5 table indexes), one per line.
 *
 * @example
 * searchText(item); // "Alice moved to Lisbon.\nAlice's home\nhome\nlisbon"
 */
export function searchText(item: TextualMemoryItem): string {
  const { key, tags } = item.metadata;
  return [item.memory, key ?? "", ...(tags ?? [])].join("\n");
}
