import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import type { TaskHandlers } from "./handlers.js";
import { serializeResult } from "./queues/shared.js";
import { NON_RETRYABLE_CODES, toTaskError } from "./task-error.js";
import type { Task, TaskError, TaskQueue } from "./types.js";

/** What a worker reports as it goes, for a status view or a log. */
export type TaskWorkerEvent =
  | { type: "started"; task: Task }
  | { type: "completed"; task: Task; ms: number }
  | { type: "failed"; task: Task; error: TaskError; outcome: "retrying" | "dead" | "lost" }
  /** Its claim expired and another worker holds it now; this run's outcome is dropped. */
  | { type: "lost"; task: Task }
  /** Given back unrun or unfinished on stop. */
  | { type: "released"; task: Task }
  /** The queue itself failed (e.g. Redis unreachable); the worker retries after a pause. */
  | { type: "queue_error"; error: TaskError };

/** Options of {@link TaskWorker}. */
export interface TaskWorkerOptions {
  queue: TaskQueue;
  handlers: TaskHandlers;
  /** The consumer name; unique per worker (e.g. `${hostname}-${pid}`). */
  name: string;
  /** Tasks run at once. Default 1. */
  concurrency?: number;
  /** How long one claim waits for work. Default 1,000 ms. */
  blockMs?: number;
  /** How often a running task's claim is renewed; keep it under a third of the visibility timeout. Default 10,000 ms. */
  heartbeatMs?: number;
  /** Pause after a queue error before claiming again. Default 1,000 ms. */
  errorBackoffMs?: number;
  /** Called for every {@link TaskWorkerEvent}; a throwing listener is ignored. */
  onEvent?: (event: TaskWorkerEvent) => void;
}

/** How {@link TaskWorker.stop} treats tasks still running. */
export interface StopOptions {
  /** "finish" (default): let them finish within `timeoutMs`, then release; "release": release now. */
  mode?: "finish" | "release";
  /** Default 30,000 ms. */
  timeoutMs?: number;
}

interface Running {
  task: Task;
  controller: AbortController;
  done: Promise<void>;
  released: boolean;
}

/**
 * Claims tasks from a queue and runs them with the handler of their label, at most
 * `concurrency` at once: a long task's claim is renewed by heartbeat (and its handler's signal
 * aborted if the claim is lost anyway), a success completes it, a failure records the error's
 * code (retrying unless the code says a retry cannot help), and a label without a handler fails
 * without retry. `stop()` stops claiming and finishes or releases what runs.
 *
 * @example
 * const worker = new TaskWorker({ queue, handlers: { mem_read: readFine }, name: "w1", concurrency: 4 });
 * worker.start();
 * process.on("SIGTERM", () => void worker.stop());
 */
export class TaskWorker {
  readonly name: string;
  private readonly queue: TaskQueue;
  private readonly handlers: TaskHandlers;
  private readonly concurrency: number;
  private readonly blockMs: number;
  private readonly heartbeatMs: number;
  private readonly errorBackoffMs: number;
  private readonly listeners = new Set<(event: TaskWorkerEvent) => void>();
  private readonly running = new Map<string, Running>();
  private stopController = new AbortController();
  private loop: Promise<void> | undefined;
  /** Resolves the claim loop's wait for a free slot. */
  private wake: (() => void) | undefined;
  private counts = { completed: 0, failed: 0 };

  constructor(options: TaskWorkerOptions) {
    const { concurrency = 1, blockMs = 1000, heartbeatMs = 10_000, errorBackoffMs = 1000 } = options;
    for (const [name, value] of Object.entries({ concurrency, blockMs, heartbeatMs, errorBackoffMs })) {
      if (!Number.isInteger(value) || value < (name === "blockMs" ? 0 : 1)) {
        throw new InvalidInputError({
          message: `worker option ${name} must be a positive integer`,
          hint: `got ${value}`,
        });
      }
    }
    if (!options.name)
      throw new InvalidInputError({
        message: "a worker needs a name",
        hint: "e.g. the host name and process id",
      });
    this.name = options.name;
    this.queue = options.queue;
    this.handlers = options.handlers;
    this.concurrency = concurrency;
    this.blockMs = blockMs;
    this.heartbeatMs = heartbeatMs;
    this.errorBackoffMs = errorBackoffMs;
    if (options.onEvent) this.listeners.add(options.onEvent);
  }

  /** Listen to events; returns the function that stops listening. */
  on(listener: (event: TaskWorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Begin claiming. A second call while running does nothing. */
  start(): void {
    if (this.loop) return;
    this.stopController = new AbortController();
    this.loop = this.claimLoop(this.stopController.signal);
  }

  /** Whether the worker is claiming. */
  get started(): boolean {
    return this.loop !== undefined;
  }

  /** What the worker is doing now, for a status view. */
  status(): { name: string; running: Task[]; concurrency: number; completed: number; failed: number } {
    return {
      name: this.name,
      running: [...this.running.values()].map((r) => r.task),
      concurrency: this.concurrency,
      ...this.counts,
    };
  }

  /** Stop claiming; finish (or release) the tasks that run. Resolves when none is held. */
  async stop(options: StopOptions = {}): Promise<void> {
    const { mode = "finish", timeoutMs = 30_000 } = options;
    this.stopController.abort();
    this.wakeLoop();
    await this.loop;
    this.loop = undefined;
    if (mode === "finish" && this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.all([...this.running.values()].map((r) => r.done)), timeout]);
      clearTimeout(timer);
    }
    await Promise.all([...this.running.values()].map((r) => this.release(r)));
  }

  private async claimLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const free = this.concurrency - this.running.size;
      if (free <= 0) {
        // Until a task finishes (begin's finally) or stop() calls: no timer, nothing left behind.
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      let tasks: Task[];
      try {
        tasks = await this.queue.claim(this.name, free, { blockMs: this.blockMs, signal });
      } catch (error) {
        this.emit({ type: "queue_error", error: toTaskError(error) });
        await sleep(this.errorBackoffMs, signal);
        continue;
      }
      for (const task of tasks) this.begin(task);
    }
  }

  private wakeLoop(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private begin(task: Task): void {
    const controller = new AbortController();
    const entry: Running = { task, controller, released: false, done: Promise.resolve() };
    this.running.set(task.task_id, entry);
    entry.done = this.execute(entry).finally(() => {
      this.running.delete(task.task_id);
      this.wakeLoop();
    });
  }

  private async execute(entry: Running): Promise<void> {
    const { task, controller } = entry;
    const startedAt = Date.now();
    this.emit({ type: "started", task });
    let lost = false;
    const beat = setInterval(() => {
      this.queue.heartbeat(task.task_id, this.name).then(
        (held) => {
          if (held || entry.released) return;
          lost = true;
          controller.abort(new Error("the task's claim was lost"));
        },
        (error) => this.emit({ type: "queue_error", error: toTaskError(error) }),
      );
    }, this.heartbeatMs);
    try {
      const handler = this.handlers[task.label];
      if (!handler) {
        await this.record(task, {
          code: "unknown_label",
          message: `worker ${this.name} has no handler for label "${task.label}"`,
          hint: "run a worker that registers a handler for this label",
        });
        return;
      }
      let result: unknown;
      try {
        result = await handler(task, {
          signal: controller.signal,
          submit: (input) => this.queue.submit(input),
        });
      } catch (error) {
        if (entry.released) return;
        if (lost) {
          this.emit({ type: "lost", task });
          return;
        }
        await this.record(task, toTaskError(error));
        return;
      }
      if (entry.released) return;
      if (lost) {
        this.emit({ type: "lost", task });
        return;
      }
      try {
        serializeResult(result); // a result the queue cannot store is the handler's failure
      } catch (error) {
        await this.record(task, toTaskError(error));
        return;
      }
      try {
        await this.queue.complete(task.task_id, this.name, result);
        this.counts.completed++;
        this.emit({ type: "completed", task, ms: Date.now() - startedAt });
      } catch (error) {
        this.emit({ type: "queue_error", error: toTaskError(error) });
      }
    } finally {
      clearInterval(beat);
    }
  }

  /** Record a failed attempt; codes a retry cannot fix go to the dead letter at once. */
  private async record(task: Task, error: TaskError): Promise<void> {
    try {
      const outcome = await this.queue.fail(task.task_id, this.name, error, {
        retry: !NON_RETRYABLE_CODES.has(error.code),
      });
      this.counts.failed++;
      this.emit({ type: "failed", task, error, outcome });
    } catch (queueError) {
      this.emit({ type: "queue_error", error: toTaskError(queueError) });
    }
  }

  private async release(entry: Running): Promise<void> {
    if (entry.released) return;
    entry.released = true;
    entry.controller.abort(new Error("the worker is stopping"));
    try {
      await this.queue.release(entry.task.task_id, this.name);
      this.emit({ type: "released", task: entry.task });
    } catch (error) {
      this.emit({ type: "queue_error", error: toTaskError(error) });
    }
  }

  private emit(event: TaskWorkerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A status view's bug must not stop the worker.
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
