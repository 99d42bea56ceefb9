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

/**
 * The keyword-index row for an item: its text, key and tags (space-separated), the columns of
 * SQLite's FTS5 table and PostgreSQL's tsvector.
 *
 * @example
 * ftsColumns("Alice moved to Lisbon.", { key: "home", tags: ["lisbon"] }); // [text, "home", "lisbon"]
 */
export function ftsColumns(
  memory: string,
  metadata: { key?: unknown; tags?: unknown },
): [string, string, string] {
  const key = typeof metadata.key === "string" ? metadata.key : "";
  const tags = Array.isArray(metadata.tags)
    ? metadata.tags.filter((t) => typeof t === "string").join(" ")
    : "";
  return [memory, key, tags];
}
