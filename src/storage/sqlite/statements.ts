import type Database from "better-sqlite3";

/** Prepared statements are cached by SQL text; filters make SQL vary, so the cache is bounded. */
export const STATEMENT_CACHE_LIMIT = 256;

const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * The connection's prepared statement for `sql`, compiled once. Compiling costs tens of
 * microseconds, as much as running a small insert, so statements on the write path come from here.
 * The cache lives as long as the connection object.
 */
export function cachedStatement(db: Database.Database, sql: string): Database.Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    if (cache.size >= STATEMENT_CACHE_LIMIT) cache.clear();
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}
