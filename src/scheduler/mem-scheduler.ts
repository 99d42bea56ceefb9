import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../core/errors/config-error.js";
import { logger } from "../core/logger.js";
import type { TaskHandlers } from "./handlers.js";
import { LOCAL_QUEUE_FILE, LocalQueue } from "./queues/local-queue.js";
import type {
  QueueStats,
  SubmitResult,
  Task,
  TaskHandler,
  TaskInput,
  TaskLabel,
  TaskQueue,
  TaskQueueOptions,
  TaskStatus,
} from "./types.js";
import { TaskWorker, type TaskWorkerEvent } from "./worker.js";

/** Options of {@link MemScheduler.create}. */
export interface MemSchedulerOptions {
  /** A queue to use as it is (the scheduler closes it). Default: see `redisUrl` and `home`. */
  queue?: TaskQueue;
  /**
   * Redis Streams (`redis://host:6379`): many processes, `memos worker`. Default
   * `env.MEMOS_REDIS_URL`; without one the queue is local.
   */
  redisUrl?: string;
  /** MEMOS_HOME: the local queue's file is `<home>/scheduler.db`, so a restart resumes. */
  home?: string;
  /** Capacity, visibility timeout, attempts of the queue made here. */
  queueOptions?: TaskQueueOptions;
  /** One handler per label (`createMosHandlers`); more can be registered later. */
  handlers?: TaskHandlers;
  /**
   * Run a worker in this process (default: concurrency 2). `false`: only submit; separate
   * `memos worker` processes do the work (Redis).
   */
  worker?: false | { concurrency?: number; name?: string };
  /** Start the worker at once (default true); false: call `start()` when its handlers' deps are ready. */
  autoStart?: boolean;
  /** How often `waitIdle` looks at a queue other processes change (default 250 ms). */
  pollMs?: number;
  /**
   * Re-queues an add's `mem_read` that a full queue refused (MOS's `requeuePending`); run by
   * `sweep()`, and every `sweepMs` while some wait.
   */
  requeue?: (userId: string, cubeId: string) => Promise<{ queued: number; complete: boolean }>;
  /** Default 30,000 ms. */
  sweepMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** What `status(user)` reports: the user's tasks, their counts, and the queue's backpressure. */
export interface SchedulerStatus {
  /** "local" or "redis". */
  queue: string;
  user_id: string;
  /** The user's tasks, newest first. */
  tasks: Task[];
  counts: Record<TaskStatus | "total", number>;
  /** The user's waiting + in_progress tasks. */
  active: number;
  backpressure: Backpressure;
  /** The worker of this process, when it runs one. */
  worker?: { name: string; concurrency: number; running: number; completed: number; failed: number };
}

/** How close the queue is to refusing work, and what it refused. */
export interface Backpressure {
  capacity: number;
  /** Active tasks of every user. */
  active: number;
  /** True once `active` reached `capacity`: a submit now throws QueueFullError. */
  full: boolean;
  /** Submits refused as full (the queue's count, across processes where it keeps one). */
  rejected_full: number;
  /** Cubes of this user whose fine pass waits for room (fast memories committed, tagged). */
  pending_cubes: number;
}

/** Outcome of {@link MemScheduler.waitIdle}. */
export interface WaitOutcome {
  idle: boolean;
  active: number;
  waitedMs: number;
}

/**
 * The scheduler: a task queue (local SQLite in MEMOS_HOME by default, Redis Streams when
 * `MEMOS_REDIS_URL` is set), an optional worker in this process, and the handler of each label.
 * MOS submits to it (`mos.useScheduler`); the server and CLI read `status` and `waitIdle`.
 *
 * @example
 * const scheduler = await MemScheduler.create({ home: mos.home.dir, handlers: createMosHandlers({ mos }) });
 * mos.useScheduler(scheduler);
 * await mos.add({ userId: "alice", messages, mode: "fine", asyncMode: "async" }); // fast now, fine later
 * await scheduler.waitIdle("alice", 60_000);
 * await scheduler.close();
 */
export class MemScheduler {
  readonly queue: TaskQueue;
  readonly worker: TaskWorker | undefined;
  private readonly handlers: TaskHandlers;
  private readonly pollMs: number;
  private readonly listeners = new Set<() => void>();
  private readonly pending = new Set<string>();
  private readonly requeue: MemSchedulerOptions["requeue"];
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(queue: TaskQueue, options: MemSchedulerOptions) {
    this.queue = queue;
    // One object the worker reads at run time, so `register` works after the worker started.
    this.handlers = { ...options.handlers };
    this.pollMs = options.pollMs ?? 250;
    this.requeue = options.requeue;
    if (options.worker !== false) {
      this.worker = new TaskWorker({
        queue,
        handlers: this.handlers,
        name: options.worker?.name ?? `${hostname()}-${process.pid}-serve`,
        concurrency: options.worker?.concurrency ?? 2,
        blockMs: 500,
        onEvent: (event) => this.onWorkerEvent(event),
      });
      if (options.autoStart !== false) this.worker.start();
    }
    if (this.requeue) {
      this.sweepTimer = setInterval(
        () => void this.sweep().catch(() => undefined),
        options.sweepMs ?? 30_000,
      );
      this.sweepTimer.unref();
    }
  }

  /**
   * A scheduler on the queue the options name: `queue`, else Redis (`redisUrl` /
   * MEMOS_REDIS_URL), else the local queue in `home`.
   */
  static async create(options: MemSchedulerOptions = {}): Promise<MemScheduler> {
    return new MemScheduler(options.queue ?? (await openQueue(options)), options);
  }

  /**
   * The local queue of `home` (no Redis), synchronously: for callers that cannot wait, such as
   * `createApp`.
   *
   * @example
   * const scheduler = MemScheduler.local(home, { handlers });
   */
  static local(
    home: string,
    options: Omit<MemSchedulerOptions, "queue" | "home" | "redisUrl"> = {},
  ): MemScheduler {
    return new MemScheduler(new LocalQueue(join(home, LOCAL_QUEUE_FILE), options.queueOptions), options);
  }

  /**
   * Set the handler of a label (e.g. `act_mem_update` once activation memory has a rebuild). The
   * worker of this process runs it from its next task on.
   *
   * @example
   * scheduler.register("act_mem_update", async (task) => rebuildKv(task));
   */
  register(label: TaskLabel, handler: TaskHandler): void {
    this.handlers[label] = handler;
  }

  /** Start this process's worker (when it has one and it is not running). */
  start(): void {
    if (!this.closed) this.worker?.start();
  }

  /** The labels this process has handlers for. */
  get labels(): TaskLabel[] {
    return Object.keys(this.handlers) as TaskLabel[];
  }

  /** Queue a task; throws QueueFullError (code "queue_full") when the queue is at capacity. */
  async submit(input: TaskInput): Promise<SubmitResult> {
    const out = await this.queue.submit(input);
    this.changed();
    return out;
  }

  /** Remember a cube whose fine pass a full queue refused; `sweep` re-queues it. */
  notePending(userId: string, cubeId: string): void {
    this.pending.add(JSON.stringify([userId, cubeId]));
  }

  /**
   * Re-queue what full queues refused (pending fine passes), cube by cube, while there is room.
   * Returns how many memories were queued.
   */
  async sweep(): Promise<number> {
    if (!this.requeue || this.closed) return 0;
    let queued = 0;
    for (const key of [...this.pending]) {
      const [userId, cubeId] = JSON.parse(key) as [string, string];
      try {
        const r = await this.requeue(userId, cubeId);
        queued += r.queued;
        // Not complete: the queue refused again; the next sweep tries what is left.
        if (!r.complete) break;
        this.pending.delete(key);
      } catch (error) {
        logger.warn({ err: error, cube: cubeId }, "scheduler: re-queueing pending fine passes failed");
        this.pending.delete(key);
      }
    }
    if (queued > 0) this.changed();
    return queued;
  }

  /**
   * A user's tasks (or one, `taskId`: undefined when it is not theirs), their counts and the
   * queue's backpressure.
   *
   * @example
   * const { counts, backpressure } = await scheduler.status("alice");
   */
  async status(
    userId: string,
    options: { limit?: number; status?: TaskStatus } = {},
  ): Promise<SchedulerStatus> {
    const [tasks, mine, all] = await Promise.all([
      this.queue.list({ user_id: userId, status: options.status, limit: options.limit ?? 100 }),
      this.queue.stats({ user_id: userId }),
      this.queue.stats(),
    ]);
    const out: SchedulerStatus = {
      queue: this.queue.kind,
      user_id: userId,
      tasks,
      counts: withTotal(mine),
      active: activeOf(mine),
      backpressure: this.backpressure(all, userId),
    };
    if (this.worker) {
      const w = this.worker.status();
      out.worker = {
        name: w.name,
        concurrency: w.concurrency,
        running: w.running.length,
        completed: w.completed,
        failed: w.failed,
      };
    }
    return out;
  }

  /** One task, or undefined when there is none or it is not `userId`'s. */
  async task(userId: string, taskId: string): Promise<Task | undefined> {
    const task = await this.queue.get(taskId);
    return task?.user_id === userId ? task : undefined;
  }

  /** Counts by status: of every user (`userId` undefined) or of one. */
  async summary(userId?: string): Promise<Record<TaskStatus | "total", number>> {
    return withTotal(await this.queue.stats(userId === undefined ? {} : { user_id: userId }));
  }

  /**
   * Resolve when the user has no waiting or running task, or after `timeoutMs`; `onProgress`
   * hears the active count whenever it changes (the SSE stream sends it). Works across processes:
   * the queue is looked at every `pollMs`, and at once when this process's worker finishes a task.
   *
   * @example
   * const { idle, active } = await scheduler.waitIdle("alice", 30_000, (n) => console.log(n, "left"));
   */
  async waitIdle(
    userId: string,
    timeoutMs: number,
    onProgress?: (active: number) => void,
  ): Promise<WaitOutcome> {
    const started = Date.now();
    let last = -1;
    let wake: () => void = () => undefined;
    const listener = () => wake();
    this.listeners.add(listener);
    try {
      for (;;) {
        const active = activeOf(await this.queue.stats({ user_id: userId }));
        if (active !== last) onProgress?.(active);
        last = active;
        const waited = Date.now() - started;
        if (active === 0 || waited >= timeoutMs || this.closed)
          return { idle: active === 0, active, waitedMs: waited };
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(this.pollMs, timeoutMs - waited));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      this.listeners.delete(listener);
    }
  }

  /**
   * Stop this process's worker (running tasks finish within `timeoutMs`, else go back to the
   * queue for another worker) and close the queue.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.changed();
    await this.worker?.stop({ mode: "finish", timeoutMs: options.timeoutMs ?? 30_000 });
    await this.queue.close();
  }

  private backpressure(all: QueueStats, userId: string): Backpressure {
    const active = activeOf(all);
    let pendingCubes = 0;
    for (const key of this.pending) if ((JSON.parse(key) as string[])[0] === userId) pendingCubes += 1;
    return {
      capacity: all.capacity,
      active,
      full: active >= all.capacity,
      rejected_full: all.rejected_full,
      pending_cubes: pendingCubes,
    };
  }

  private onWorkerEvent(event: TaskWorkerEvent): void {
    if (event.type === "failed")
      logger.warn(
        { task: event.task.task_id, label: event.task.label, error: event.error },
        "scheduler: task failed",
      );
    if (event.type === "queue_error") logger.warn({ error: event.error }, "scheduler: queue error");
    this.changed();
    // Room again after a refusal: give what waits a chance.
    if (event.type === "completed" && this.pending.size > 0) void this.sweep().catch(() => undefined);
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}

async function openQueue(options: MemSchedulerOptions): Promise<TaskQueue> {
  const env = options.env ?? process.env;
  const redisUrl = options.redisUrl ?? (env.MEMOS_REDIS_URL?.trim() || undefined);
  if (redisUrl) {
    // Loaded only when used: ioredis is an optional dependency.
    const { createRedisStreamQueue } = await import("./queues/redis-stream-queue.js");
    return createRedisStreamQueue({ ...options.queueOptions, url: redisUrl });
  }
  if (!options.home)
    throw new ConfigError({
      message: "the local task queue needs MEMOS_HOME (its file is <home>/scheduler.db)",
      hint: "pass home to MemScheduler.create, or set MEMOS_REDIS_URL to use Redis",
    });
  return new LocalQueue(join(options.home, LOCAL_QUEUE_FILE), options.queueOptions);
}

function activeOf(stats: QueueStats): number {
  return stats.by_status.waiting + stats.by_status.in_progress;
}

function withTotal(stats: QueueStats): Record<TaskStatus | "total", number> {
  const c = stats.by_status;
  return { ...c, total: c.waiting + c.in_progress + c.completed + c.failed + c.cancelled };
}
