import type Database from "better-sqlite3";
import { parseJson } from "../task-input.js";
import type { Task, TaskError, TaskLabel, TaskStatus } from "../types.js";

/**
 * The LocalQueue's tables. Their names carry a `scheduler_` prefix so they can live in a file of
 * their own (`scheduler.db`, the default beside registry.db) or inside another database.
 * `lease_until` (epoch ms) is when an `in_progress` claim expires; `seq` orders a user's tasks.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS scheduler_tasks (
  seq INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  user_id TEXT NOT NULL,
  cube_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  submitted_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  worker TEXT,
  lease_until INTEGER,
  result TEXT,
  error TEXT,
  dead_letter INTEGER NOT NULL DEFAULT 0,
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS scheduler_tasks_ready ON scheduler_tasks (status, user_id, seq);
CREATE INDEX IF NOT EXISTS scheduler_tasks_lease ON scheduler_tasks (status, lease_until);
CREATE INDEX IF NOT EXISTS scheduler_tasks_user ON scheduler_tasks (user_id, submitted_at);
CREATE TABLE IF NOT EXISTS scheduler_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/** Create the tables when missing. */
export function migrateQueueSchema(db: Database.Database): void {
  db.exec(SCHEMA);
}

/** A row of `scheduler_tasks`. */
export interface TaskRow {
  seq: number;
  task_id: string;
  label: string;
  user_id: string;
  cube_id: string;
  payload: string;
  idempotency_key: string;
  status: string;
  attempts: number;
  max_attempts: number;
  submitted_at: string;
  started_at: string | null;
  finished_at: string | null;
  worker: string | null;
  lease_until: number | null;
  result: string | null;
  error: string | null;
  dead_letter: number;
}

/** A stored row as the Task the contract describes (optional fields left out when empty). */
export function rowToTask(row: TaskRow): Task {
  const task: Task = {
    task_id: row.task_id,
    label: row.label as TaskLabel,
    user_id: row.user_id,
    cube_id: row.cube_id,
    payload: parseJson(row.payload),
    idempotency_key: row.idempotency_key,
    status: row.status as TaskStatus,
    attempts: row.attempts,
    max_attempts: row.max_attempts,
    submitted_at: row.submitted_at,
  };
  if (row.started_at) task.started_at = row.started_at;
  if (row.finished_at) task.finished_at = row.finished_at;
  if (row.worker) task.worker = row.worker;
  if (row.result !== null) task.result = parseJson(row.result);
  if (row.error !== null) task.error = parseJson(row.error) as TaskError;
  if (row.dead_letter) task.dead_letter = true;
  return task;
}
