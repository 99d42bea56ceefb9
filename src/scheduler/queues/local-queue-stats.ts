import type Database from "better-sqlite3";
import type { QueueStats, TaskStatus } from "../types.js";
import { emptyByStatus } from "./shared.js";

/**
 * The LocalQueue's counts for a status panel, read with `sql` (the queue's cached statements)
 * inside its read transaction; `filter.user_id` narrows them to one user.
 */
export function readQueueStats(
  sql: (text: string) => Database.Statement,
  filter: { user_id?: string },
  capacity: number,
): QueueStats {
  const byUser = filter.user_id === undefined ? "" : "AND user_id = @user_id";
  const params = filter.user_id === undefined ? {} : { user_id: filter.user_id };
  const by_status = emptyByStatus();
  const counts = sql(
    `SELECT status, COUNT(*) AS n FROM scheduler_tasks WHERE 1 = 1 ${byUser} GROUP BY status`,
  ).all(params) as { status: TaskStatus; n: number }[];
  for (const { status, n } of counts) by_status[status] = n;
  const active = sql(
    `SELECT user_id, COUNT(*) AS n FROM scheduler_tasks WHERE status IN ('waiting', 'in_progress') ${byUser} GROUP BY user_id`,
  ).all(params) as { user_id: string; n: number }[];
  const dead = sql(`SELECT COUNT(*) AS n FROM scheduler_tasks WHERE dead_letter = 1 ${byUser}`).get(
    params,
  ) as {
    n: number;
  };
  const rejected = sql("SELECT value FROM scheduler_counters WHERE name = 'rejected_full'").get() as
    | { value: number }
    | undefined;
  return {
    by_status,
    active_by_user: Object.fromEntries(active.map((a) => [a.user_id, a.n])),
    dead_letter: dead.n,
    capacity,
    rejected_full: rejected?.value ?? 0,
  };
}
