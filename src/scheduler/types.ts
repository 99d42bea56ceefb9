/**
 * The scheduler's contract: what a task is, and what a queue must do with it. Two queues
 * implement it (`LocalQueue`: in process, its state in SQLite so a restart resumes;
 * `RedisStreamQueue`: many workers on Redis Streams); both pass `runQueueConformance`.
 */

/** MemOS's task labels. One handler per label does the work. */
export const TASK_LABELS = [
  "add",
  "mem_read",
  "mem_organize",
  "pref_add",
  "query",
  "answer",
  "mem_update",
  "mem_feedback",
  "act_mem_update",
] as const;

/** What a task does (MemOS's label names). */
export type TaskLabel = (typeof TASK_LABELS)[number];

/** MemOS's task states. `waiting` and `in_progress` are active; the rest are final. */
export type TaskStatus = "waiting" | "in_progress" | "completed" | "failed" | "cancelled";

/** Why a task failed, as a client sees it (never a stack trace). */
export interface TaskError {
  code: string;
  message: string;
  hint?: string;
}

/** What a caller submits. */
export interface TaskInput {
  label: TaskLabel;
  user_id: string;
  cube_id: string;
  /** JSON-serialisable; handlers validate it (zod) before use. */
  payload: unknown;
  /**
   * A second submit with the same key (for the same user) returns the first task instead of
   * queueing a duplicate. Default: a fresh id.
   */
  idempotency_key?: string;
  /** Attempts before the task goes to the dead letter (default: the queue's, 3). */
  max_attempts?: number;
}

/** A task as stored and reported. Timestamps are ISO-8601 UTC. */
export interface Task extends Required<Omit<TaskInput, "max_attempts">> {
  task_id: string;
  status: TaskStatus;
  /** Deliveries so far (1 on the first run). */
  attempts: number;
  max_attempts: number;
  submitted_at: string;
  started_at?: string;
  finished_at?: string;
  /** The worker (consumer name) that holds or last held it. */
  worker?: string;
  /** What the handler returned (JSON). */
  result?: unknown;
  error?: TaskError;
  /** True once the task failed `max_attempts` times and sits in the dead letter. */
  dead_letter?: boolean;
}

/** Outcome of {@link TaskQueue.submit}. */
export interface SubmitResult {
  task: Task;
  /** True when the idempotency key matched an existing task (nothing new was queued). */
  duplicate: boolean;
}

/** Counts a status panel shows. */
export interface QueueStats {
  /** Tasks by status (all users, or the one asked for). */
  by_status: Record<TaskStatus, number>;
  /** Active (waiting + in_progress) tasks per user. */
  active_by_user: Record<string, number>;
  dead_letter: number;
  /** Most active tasks the queue accepts; `submit` beyond it throws `QueueFullError`. */
  capacity: number;
  /** Submits refused because the queue was full (kept in the queue's store: across restarts and processes). */
  rejected_full: number;
}

/**
 * A durable task queue. Delivery is at least once: a task a worker claimed and never completed
 * (it died) is delivered again after the visibility timeout; handlers are written so a second
 * run does no harm (idempotent by task payload).
 */
export interface TaskQueue {
  readonly specificationVersion: "v1";
  /** "local" or "redis" (shown in status). */
  readonly kind: string;
  /** Queue a task; throws `QueueFullError` (code "queue_full") when at capacity. */
  submit(input: TaskInput): Promise<SubmitResult>;
  /**
   * Claim up to `max` tasks for `worker`, fairly across users (round robin, so one heavy user
   * cannot starve the rest), re-delivering tasks whose holder stopped heart-beating. Waits up to
   * `blockMs` when nothing is ready. Claimed tasks are `in_progress` with `attempts` incremented.
   */
  claim(worker: string, max: number, options?: ClaimOptions): Promise<Task[]>;
  /**
   * Keep a long task's claim alive. False when `worker` no longer holds the task (its claim
   * expired and another worker took it, or it was finished): the handler should stop.
   */
  heartbeat(taskId: string, worker: string): Promise<boolean>;
  /** Mark done (ack). A task that is no longer held by `worker` is left as it is. */
  complete(taskId: string, worker: string, result?: unknown): Promise<void>;
  /**
   * Record a failed attempt: back to `waiting` for a retry, or `failed` + dead letter once
   * `max_attempts` is reached (or when `retry` is false). Returns which; "lost" when `worker`
   * no longer holds the task (nothing is recorded).
   */
  fail(
    taskId: string,
    worker: string,
    error: TaskError,
    options?: { retry?: boolean },
  ): Promise<"retrying" | "dead" | "lost">;
  /**
   * Give a claimed task back unrun (a worker shutting down): `waiting` again, this delivery not
   * counted as an attempt. A task no longer held by `worker` is left as it is.
   */
  release(taskId: string, worker: string): Promise<void>;
  /** Cancel a waiting task; false when it already started or finished. */
  cancel(taskId: string): Promise<boolean>;
  get(taskId: string): Promise<Task | undefined>;
  /** Newest first. */
  list(filter?: { user_id?: string; cube_id?: string; status?: TaskStatus; limit?: number }): Promise<Task[]>;
  stats(filter?: { user_id?: string }): Promise<QueueStats>;
  close(): Promise<void>;
}

/** Options of {@link TaskQueue.claim}. */
export interface ClaimOptions {
  /** Wait up to this long for a task when none is ready (default 0: answer at once). */
  blockMs?: number;
  /** Ends a blocked claim early (a worker stopping); the claim then returns what it has. */
  signal?: AbortSignal;
}

/** Settings both queues share. */
export interface TaskQueueOptions {
  /** Most active (waiting + in_progress) tasks; beyond it `submit` throws. Default 10,000. */
  capacity?: number;
  /** A claim not heart-beaten for this long is delivered again. Default 30,000 ms. */
  visibilityTimeoutMs?: number;
  /** Default `max_attempts` of a task. Default 3. */
  maxAttempts?: number;
  /**
   * How long a finished task (completed, failed, dead letter, cancelled) is kept for get/list/
   * stats and idempotency, counted from when it finished. Default 7 days.
   */
  retentionMs?: number;
}

/** What a handler gets besides the task. */
export interface TaskContext {
  /** Aborted when the worker shuts down or the task's claim is lost. */
  signal: AbortSignal;
  /** Queue a follow-up task (e.g. `mem_read` → `mem_organize`). */
  submit(input: TaskInput): Promise<SubmitResult>;
}

/** Does the work of one label. Throw a `MemosError` for a clear failure; its code is recorded. */
export type TaskHandler = (task: Task, context: TaskContext) => Promise<unknown>;
