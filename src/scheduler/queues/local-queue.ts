import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { errorMessage } from "../../core/errors/error-message.js";
import { StorageError } from "../../core/errors/storage-error.js";
import { nowIso } from "../../core/time.js";
import { normalizeTaskInput, pruneIntervalMs, resolveQueueOptions } from "../task-input.js";
import type {
  ClaimOptions,
  QueueStats,
  SubmitResult,
  Task,
  TaskError,
  TaskInput,
  TaskQueue,
  TaskQueueOptions,
  TaskStatus,
} from "../types.js";
import { migrateQueueSchema, rowToTask, type TaskRow } from "./local-queue-schema.js";
import { readQueueStats } from "./local-queue-stats.js";
import {
  checkClaim,
  emptyByStatus,
  queueFullError,
  serializeResult,
  serializeTaskError,
  Wakeup,
  workerLostError,
} from "./shared.js";

/** The LocalQueue's file inside MEMOS_HOME, beside registry.db (its own file: its own write lock). */
export const LOCAL_QUEUE_FILE = "scheduler.db";

/** Options of {@link LocalQueue}. */
export interface LocalQueueOptions extends TaskQueueOptions {
  /**
   * While a claim blocks, look at the file at least this often (default 2,000 ms). Submits in
   * this process wake a blocked claim at once; this only matters for another process sharing
   * the file.
   */
  pollIntervalMs?: number;
}

/**
 * The in-process task queue: its state in SQLite, so a restart resumes where it stopped
 * (waiting tasks stay queued; a claim that was running when the process died expires after
 * the visibility timeout and is delivered again). Claims take one task per user in turn; a
 * blocked claim wakes as soon as a task is submitted. Every change is one immediate
 * transaction, so processes sharing the file never claim one task twice.
 *
 * @param database a file path (created with its folder; the queue closes it) or an open
 *   better-sqlite3 Database (left open on close), e.g. `join(home, LOCAL_QUEUE_FILE)`
 * @example
 * const queue = new LocalQueue(join(home, LOCAL_QUEUE_FILE), { capacity: 1000 });
 * await queue.submit({ label: "mem_read", user_id: "u1", cube_id: "c1", payload: { ids } });
 * const [task] = await queue.claim("worker-1", 1, { blockMs: 5000 });
 */
export class LocalQueue implements TaskQueue {
  readonly specificationVersion = "v1" as const;
  readonly kind = "local";
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly path: string;
  private readonly options: Required<TaskQueueOptions>;
  private readonly pollIntervalMs: number;
  private readonly wakeup = new Wakeup();
  /** The user served last, so the next claim starts with the one after. */
  private cursor = "";
  private lastPrune = 0;
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;

  constructor(database: string | Database.Database, options: LocalQueueOptions = {}) {
    const { pollIntervalMs = 2000, ...queueOptions } = options;
    this.options = resolveQueueOptions(queueOptions);
    this.pollIntervalMs = pollIntervalMs;
    this.ownsDb = typeof database === "string";
    this.path = typeof database === "string" ? database : database.name;
    try {
      if (typeof database === "string") {
        if (database !== ":memory:") mkdirSync(dirname(database), { recursive: true });
        this.db = new Database(database);
        this.db.pragma("journal_mode = WAL");
        this.db.pragma("synchronous = NORMAL");
      } else {
        this.db = database;
      }
      this.db.pragma("busy_timeout = 5000");
      migrateQueueSchema(this.db);
      // A restart: claims the last process held and can no longer renew go back to waiting.
      this.db.transaction(() => this.reap(Date.now())).immediate();
    } catch (error) {
      throw this.storageError(error);
    }
  }

  async submit(input: TaskInput): Promise<SubmitResult> {
    const task = normalizeTaskInput(input, this.options.maxAttempts);
    const outcome = this.write(() => {
      const existing = this.sql(
        "SELECT * FROM scheduler_tasks WHERE user_id = ? AND idempotency_key = ?",
      ).get(task.user_id, task.idempotency_key) as TaskRow | undefined;
      if (existing) return { task: rowToTask(existing), duplicate: true };
      if (this.activeCount() >= this.options.capacity) {
        this.sql(
          "INSERT INTO scheduler_counters (name, value) VALUES ('rejected_full', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1",
        ).run();
        return undefined;
      }
      this.sql(
        `INSERT INTO scheduler_tasks (task_id, label, user_id, cube_id, payload, idempotency_key, status, max_attempts, submitted_at)
           VALUES (@task_id, @label, @user_id, @cube_id, @payload, @idempotency_key, 'waiting', @max_attempts, @submitted_at)`,
      ).run({ ...task, submitted_at: nowIso() });
      return { task: this.mustGet(task.task_id), duplicate: false };
    });
    if (!outcome) throw queueFullError(this.options.capacity, this.kind);
    if (!outcome.duplicate) this.wakeup.notify();
    return outcome;
  }

  async claim(worker: string, max: number, options: ClaimOptions = {}): Promise<Task[]> {
    checkClaim(worker, max);
    const deadline = Date.now() + (options.blockMs ?? 0);
    for (;;) {
      if (this.closed || options.signal?.aborted) return [];
      this.pruneWhenDue();
      const tasks = this.write(() => this.claimNow(worker, max));
      const left = deadline - Date.now();
      if (tasks.length > 0 || left <= 0 || options.signal?.aborted) return tasks;
      // Sleep until a submit, the earliest claim expiry, the deadline or the poll interval.
      const nextExpiry = this.sql(
        "SELECT MIN(lease_until) AS at FROM scheduler_tasks WHERE status = 'in_progress'",
      ).get() as { at: number | null };
      const untilExpiry = nextExpiry.at === null ? Number.POSITIVE_INFINITY : nextExpiry.at - Date.now() + 1;
      await this.wakeup.wait(Math.max(1, Math.min(left, this.pollIntervalMs, untilExpiry)), options.signal);
    }
  }

  async heartbeat(taskId: string, worker: string): Promise<boolean> {
    const { changes } = this.write(() =>
      this.sql(
        "UPDATE scheduler_tasks SET lease_until = ? WHERE task_id = ? AND status = 'in_progress' AND worker = ?",
      ).run(Date.now() + this.options.visibilityTimeoutMs, taskId, worker),
    );
    return changes > 0;
  }

  async complete(taskId: string, worker: string, result?: unknown): Promise<void> {
    const json = serializeResult(result);
    this.write(() =>
      this.sql(
        `UPDATE scheduler_tasks SET status = 'completed', finished_at = ?, result = ?, error = NULL, lease_until = NULL
           WHERE task_id = ? AND status = 'in_progress' AND worker = ?`,
      ).run(nowIso(), json, taskId, worker),
    );
  }

  async fail(
    taskId: string,
    worker: string,
    error: TaskError,
    options: { retry?: boolean } = {},
  ): Promise<"retrying" | "dead" | "lost"> {
    const recorded = serializeTaskError(error);
    const outcome = this.write(() => {
      const row = this.heldRow(taskId, worker);
      if (!row) return "lost" as const;
      if (options.retry === false || row.attempts >= row.max_attempts) {
        this.sql(
          `UPDATE scheduler_tasks SET status = 'failed', dead_letter = 1, finished_at = ?, error = ?, lease_until = NULL
             WHERE task_id = ?`,
        ).run(nowIso(), recorded, taskId);
        return "dead" as const;
      }
      // A retry goes to the back of its user's line, so a failing task does not hold up the rest.
      this.sql(
        `UPDATE scheduler_tasks SET status = 'waiting', error = ?, lease_until = NULL,
             seq = (SELECT MAX(seq) + 1 FROM scheduler_tasks) WHERE task_id = ?`,
      ).run(recorded, taskId);
      return "retrying" as const;
    });
    if (outcome === "retrying") this.wakeup.notify();
    return outcome;
  }

  async release(taskId: string, worker: string): Promise<void> {
    const { changes } = this.write(() =>
      this.sql(
        `UPDATE scheduler_tasks SET status = 'waiting', attempts = attempts - 1, lease_until = NULL
           WHERE task_id = ? AND status = 'in_progress' AND worker = ?`,
      ).run(taskId, worker),
    );
    if (changes > 0) this.wakeup.notify();
  }

  async cancel(taskId: string): Promise<boolean> {
    const { changes } = this.write(() =>
      this.sql(
        "UPDATE scheduler_tasks SET status = 'cancelled', finished_at = ? WHERE task_id = ? AND status = 'waiting'",
      ).run(nowIso(), taskId),
    );
    return changes > 0;
  }

  async get(taskId: string): Promise<Task | undefined> {
    const row = this.read(
      () => this.sql("SELECT * FROM scheduler_tasks WHERE task_id = ?").get(taskId) as TaskRow | undefined,
    );
    return row ? rowToTask(row) : undefined;
  }

  async list(
    filter: { user_id?: string; cube_id?: string; status?: TaskStatus; limit?: number } = {},
  ): Promise<Task[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 100 };
    for (const key of ["user_id", "cube_id", "status"] as const) {
      if (filter[key] === undefined) continue;
      where.push(`${key} = @${key}`);
      params[key] = filter[key];
    }
    const rows = this.read(
      () =>
        this.sql(
          `SELECT * FROM scheduler_tasks ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
             ORDER BY submitted_at DESC, seq DESC LIMIT @limit`,
        ).all(params) as TaskRow[],
    );
    return rows.map(rowToTask);
  }

  async stats(filter: { user_id?: string } = {}): Promise<QueueStats> {
    return this.read(() => readQueueStats((text) => this.sql(text), filter, this.options.capacity));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeup.close();
    if (this.ownsDb) this.db.close();
  }

  /** One claim, inside the caller's transaction: expired claims first reaped, then round robin. */
  private claimNow(worker: string, max: number): Task[] {
    const now = Date.now();
    this.reap(now);
    // The users with waiting tasks, in turn from the one after the cursor: one index seek each,
    // and no more users than tasks wanted (with more, each of the first `max` gets one).
    const nextUser = this.sql(
      "SELECT user_id FROM scheduler_tasks WHERE status = 'waiting' AND user_id > ? ORDER BY user_id LIMIT 1",
    );
    const order: string[] = [];
    const seen = new Set<string>();
    let after = this.cursor;
    let wrapped = false;
    while (order.length < max) {
      let row = nextUser.get(after) as { user_id: string } | undefined;
      if (!row && !wrapped) {
        wrapped = true;
        row = nextUser.get("") as { user_id: string } | undefined;
      }
      if (!row || seen.has(row.user_id)) break;
      seen.add(row.user_id);
      order.push(row.user_id);
      after = row.user_id;
    }
    if (order.length === 0) return [];
    const nextOf = this.sql(
      "SELECT task_id FROM scheduler_tasks WHERE status = 'waiting' AND user_id = ? ORDER BY seq LIMIT ?",
    );
    // A user's line is read when its turn first comes (a claim of one reads one user's line).
    const lines = new Map<string, string[]>();
    const lineOf = (user: string): string[] => {
      let line = lines.get(user);
      if (!line) {
        line = (nextOf.all(user, max) as { task_id: string }[]).map((r) => r.task_id);
        lines.set(user, line);
      }
      return line;
    };
    const picked: string[] = [];
    while (picked.length < max) {
      let took = false;
      for (const user of order) {
        if (picked.length >= max) break;
        const id = lineOf(user).shift();
        if (id === undefined || picked.length >= max) continue;
        picked.push(id);
        this.cursor = user;
        took = true;
      }
      if (!took) break;
    }
    const take = this.sql(
      `UPDATE scheduler_tasks SET status = 'in_progress', attempts = attempts + 1, started_at = ?, worker = ?, lease_until = ?
       WHERE task_id = ?`,
    );
    const startedAt = nowIso();
    for (const id of picked) take.run(startedAt, worker, now + this.options.visibilityTimeoutMs, id);
    return picked.map((id) => this.mustGet(id));
  }

  /** Delete finished tasks past their retention (at most once per prune interval). */
  private pruneWhenDue(): void {
    const now = Date.now();
    if (now - this.lastPrune < pruneIntervalMs(this.options.retentionMs)) return;
    this.lastPrune = now;
    const cutoff = new Date(now - this.options.retentionMs).toISOString();
    this.write(() =>
      this.sql(
        "DELETE FROM scheduler_tasks WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at < ?",
      ).run(cutoff),
    );
  }

  /** Claims not renewed in time: back to waiting, or to the dead letter on their last attempt. */
  private reap(now: number): void {
    const expired = this.sql(
      "SELECT task_id, attempts, max_attempts FROM scheduler_tasks WHERE status = 'in_progress' AND lease_until <= ?",
    ).all(now) as { task_id: string; attempts: number; max_attempts: number }[];
    if (expired.length === 0) return;
    const requeue = this.sql(
      "UPDATE scheduler_tasks SET status = 'waiting', lease_until = NULL WHERE task_id = ?",
    );
    const bury = this.sql(
      `UPDATE scheduler_tasks SET status = 'failed', dead_letter = 1, finished_at = ?, error = ?, lease_until = NULL
       WHERE task_id = ?`,
    );
    for (const task of expired) {
      if (task.attempts < task.max_attempts) requeue.run(task.task_id);
      else bury.run(nowIso(), JSON.stringify(workerLostError(task.attempts)), task.task_id);
    }
  }

  private heldRow(taskId: string, worker: string): TaskRow | undefined {
    return this.sql(
      "SELECT * FROM scheduler_tasks WHERE task_id = ? AND status = 'in_progress' AND worker = ?",
    ).get(taskId, worker) as TaskRow | undefined;
  }

  private activeCount(): number {
    const row = this.sql(
      "SELECT COUNT(*) AS n FROM scheduler_tasks WHERE status IN ('waiting', 'in_progress')",
    ).get() as { n: number };
    return row.n;
  }

  private mustGet(taskId: string): Task {
    return rowToTask(this.sql("SELECT * FROM scheduler_tasks WHERE task_id = ?").get(taskId) as TaskRow);
  }

  /** A prepared statement, prepared once per SQL text (the texts are a fixed, small set). */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Run `fn` in one immediate transaction (a write lock from the start: no upgrade deadlock). */
  private write<T>(fn: () => T): T {
    this.checkOpen();
    try {
      return this.db.transaction(fn).immediate();
    } catch (error) {
      throw this.storageError(error);
    }
  }

  private read<T>(fn: () => T): T {
    this.checkOpen();
    try {
      return fn();
    } catch (error) {
      throw this.storageError(error);
    }
  }

  private checkOpen(): void {
    if (this.closed) {
      throw new StorageError({
        message: `the scheduler queue ${this.path} is closed`,
        hint: "open a new LocalQueue",
      });
    }
  }

  private storageError(error: unknown): unknown {
    const code = (error as { code?: unknown })?.code;
    if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
    return new StorageError({
      message: `the scheduler queue ${this.path} failed: ${errorMessage(error)} (${code})`,
      hint: "check the disk and the file's permissions; the queue file can be deleted to start empty",
      cause: error,
    });
  }
}
