import type Database from "better-sqlite3";
import { cachedStatement } from "./statements.js";

/**
 * The vector change log: which rowids' vectors changed at which generation (`meta.vec_generation`),
 * so an HNSW index built at generation g catches up by re-reading just those rows, whichever
 * process wrote them. It is written in the same transaction as the vectors, so it is exactly as
 * durable as they are.
 *
 * `meta.vec_log_floor` says how far back it reaches: every change of a generation above the floor
 * is in the log. An index older than the floor (the log was pruned, or the cube was emptied)
 * cannot catch up and is rebuilt.
 */

/** Generations the log keeps; older entries are pruned (an index that far behind is rebuilt). */
export const LOG_KEEP_GENERATIONS = 10_000;
/** Prune once every this many generations, so a write rarely pays for it. */
const PRUNE_EVERY = 256;

export const VECTOR_LOG_DDL = `
CREATE TABLE IF NOT EXISTS vec_log (
  gen INTEGER NOT NULL,
  rid INTEGER NOT NULL,
  PRIMARY KEY (gen, rid)
) WITHOUT ROWID;
`;

/** The generation the current write will commit as: one above the stored one. */
const NEXT_GEN = "coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'vec_generation'), 0) + 1";

/**
 * Note that these rowids' vectors changed (inserted, replaced or deleted); call inside the write,
 * before it bumps the generation. One statement for a whole write: a call per row cost more
 * than the row.
 */
export function logVectorChanges(db: Database.Database, rids: readonly number[]): void {
  if (rids.length === 1) {
    cachedStatement(db, `INSERT OR IGNORE INTO vec_log(gen, rid) VALUES (${NEXT_GEN}, ?)`).run(rids[0]);
  } else if (rids.length > 1) {
    cachedStatement(
      db,
      `INSERT OR IGNORE INTO vec_log(gen, rid) SELECT ${NEXT_GEN}, value FROM json_each(?)`,
    ).run(JSON.stringify(rids));
  }
}

/**
 * Rowids whose vectors the innermost open write changed, logged in one statement when it bumps
 * the generation (`flush`), as if each had been logged at once. A write flushes its buffer
 * before a nested write starts, and drops it when it fails (its savepoint rolled back).
 */
export class VectorLogBuffer {
  private rids: number[] = [];
  constructor(private readonly db: Database.Database) {}

  note(rid: number): void {
    this.rids.push(rid);
  }

  flush(): void {
    logVectorChanges(this.db, this.rids);
    this.rids = [];
  }

  drop(): void {
    this.rids = [];
  }
}

/** Every vector went at once (the cube was emptied): the log restarts above this write. */
export function resetVectorLog(db: Database.Database): void {
  db.exec("DELETE FROM vec_log");
  cachedStatement(
    db,
    `INSERT INTO meta(key, value) VALUES ('vec_log_floor', CAST(${NEXT_GEN} AS TEXT))
     ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  ).run();
}

/** After a write bumped the generation to `generation`: drop entries beyond what the log keeps. */
export function pruneVectorLog(db: Database.Database, generation: number): void {
  if (generation % PRUNE_EVERY !== 0 || generation <= LOG_KEEP_GENERATIONS) return;
  const floor = generation - LOG_KEEP_GENERATIONS;
  cachedStatement(db, "DELETE FROM vec_log WHERE gen <= ?").run(floor);
  cachedStatement(
    db,
    `INSERT INTO meta(key, value) VALUES ('vec_log_floor', ?)
     ON CONFLICT(key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER), ?) AS TEXT)`,
  ).run(String(floor), floor);
}

/** The oldest generation an index may be at and still catch up from the log. */
export function vectorLogFloor(db: Database.Database): number {
  const row = cachedStatement(db, "SELECT value FROM meta WHERE key = 'vec_log_floor'").get() as
    | { value: string }
    | undefined;
  return Number(row?.value ?? 0);
}

/**
 * Rowids whose vectors changed after generation `since`, at most `limit + 1` of them (so the
 * caller can tell "more than limit"); undefined when the log does not reach back to `since`.
 */
export function changedSince(db: Database.Database, since: number, limit: number): number[] | undefined {
  if (since < vectorLogFloor(db)) return undefined;
  return (
    cachedStatement(db, "SELECT DISTINCT rid FROM vec_log WHERE gen > ? LIMIT ?").all(since, limit + 1) as {
      rid: number;
    }[]
  ).map((r) => r.rid);
}
