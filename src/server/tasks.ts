import { randomUUID } from "node:crypto";
import { logger } from "../core/logger.js";

/** MemOS's task states. */
export type TaskStatus = "waiting" | "in_progress" | "completed" | "failed" | "cancelled";

/** One background task as `scheduler/status` reports it. */
export interface TaskRecord {
  task_id: string;
  user_id: string;
  /** What it does ("add", "feedback"). */
  label: string;
  status: TaskStatus;
  submitted_at: string;
  finished_at?: string;
  /** What the task produced (e.g. the memories an async add wrote). */
  result?: unknown;
  /** Why it failed: `{code, message, hint}`. */
  error?: { code: string; message: string; hint?: string };
}

const ACTIVE: readonly TaskStatus[] = ["waiting", "in_progress"];

/**
 * Background work of the server (async adds), run in this process until the scheduler lands:
 * tasks of one user run one after another (so their adds commit in order), users in parallel.
 * Finished tasks are kept for `keepMs` so a client can read their outcome.
 *
 * @example
 * const id = tasks.submit("alice", "add", () => mos.add({ userId: "alice", messages }));
 * await tasks.waitIdle("alice", 30_000); // { idle: true, ... }
 */
export class TaskTracker {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly keepMs = 60 * 60 * 1000) {}

  /** Queue `run` for `userId`; returns the task id at once. */
  submit(userId: string, label: string, run: () => Promise<unknown>): string {
    const task: TaskRecord = {
      task_id: randomUUID(),
      user_id: userId,
      label,
      status: "waiting",
      submitted_at: new Date().toISOString(),
    };
    this.tasks.set(task.task_id, task);
    const previous = this.chains.get(userId) ?? Promise.resolve();
    const next = previous.then(async () => {
      task.status = "in_progress";
      this.changed();
      try {
        task.result = await run();
        task.status = "completed";
      } catch (error) {
        task.status = "failed";
        const e = error as { code?: unknown; message?: unknown; hint?: unknown };
        task.error = {
          code: typeof e?.code === "string" ? e.code : "internal",
          message: typeof e?.message === "string" ? e.message : String(error),
          ...(typeof e?.hint === "string" ? { hint: e.hint } : {}),
        };
        logger.warn({ err: error, task: task.task_id }, "server: background task failed");
      }
      task.finished_at = new Date().toISOString();
      this.prune();
      this.changed();
    });
    this.chains.set(userId, next);
    void next.finally(() => {
      if (this.chains.get(userId) === next) this.chains.delete(userId);
    });
    this.changed();
    return task.task_id;
  }

  get(taskId: string): TaskRecord | undefined {
    return this.tasks.get(taskId);
  }

  /** A user's tasks, oldest first. */
  ofUser(userId: string): TaskRecord[] {
    return [...this.tasks.values()].filter((t) => t.user_id === userId);
  }

  /** How many of a user's tasks are waiting or running. */
  active(userId: string): number {
    return this.ofUser(userId).filter((t) => ACTIVE.includes(t.status)).length;
  }

  /** Counts by state over every user (MemOS's `TaskSummary`). */
  summary(): Record<TaskStatus | "total", number> {
    const out = { waiting: 0, in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
    for (const t of this.tasks.values()) {
      out[t.status] += 1;
      out.total += 1;
    }
    return out;
  }

  /**
   * Resolve when the user has no waiting or running task, or after `timeoutMs`; `onProgress`
   * hears the active count on every change (the SSE stream sends it).
   */
  async waitIdle(
    userId: string,
    timeoutMs: number,
    onProgress?: (active: number) => void,
  ): Promise<{ idle: boolean; active: number; waitedMs: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
      const finish = (active: number) => {
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve({ idle: active === 0, active, waitedMs: Date.now() - started });
      };
      const check = () => {
        const active = this.active(userId);
        onProgress?.(active);
        if (active === 0) finish(0);
      };
      // The timer ends the wait by itself: a timer may fire a little before Date.now() says it is due.
      const timer = setTimeout(() => finish(this.active(userId)), timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /** Resolve when every user's tasks are done (used on shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  private prune(): void {
    const cutoff = Date.now() - this.keepMs;
    for (const [id, t] of this.tasks)
      if (t.finished_at && Date.parse(t.finished_at) < cutoff) this.tasks.delete(id);
  }
}
