/**
 * Metadata fields every SQL store copies out of `metadata` into indexed generated columns
 * (SQLite's `items`, PostgreSQL's `memos_items`): the fields nearly every query filters or sorts on.
 * SQLite's columns carry no declared type on purpose: a typed column would coerce the JSON value
 * (affinity), and filters must see exactly what the JSON holds.
 */
export const HOT_COLUMNS = [
  "user_id",
  "session_id",
  "status",
  "memory_type",
  "created_at",
  "updated_at",
] as const;
export type HotColumn = (typeof HOT_COLUMNS)[number];
