import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { QueueFullError } from "../../core/errors/queue-full-error.js";
import type { TaskError, TaskStatus } from "../types.js";

/** A claim's worker name and batch size, checked. */
export function checkClaim(worker: string, max: number): void {
  if (typeof worker !== "string" || worker.length === 0 || worker.length > 256) {
    throw new InvalidInputError({
      message: "a claim needs a worker name (1–256 characters)",
      hint: "name the worker",
    });
  }
  if (!Number.isInteger(max) || max < 1) {
    throw new InvalidInputError({
      message: `claim max must be a positive integer, got ${String(max)}`,
      hint: "pass 1 or more",
    });
  }
}

/** Every status at zero, for stats. */
export function emptyByStatus(): Record<TaskStatus, number> {
  return { waiting: 0, in_progress: 0, completed: 0, failed: 0, cancelled: 0 };
}

/** A handler's result as JSON text; null when it returned nothing. */
export function serializeResult(result: unknown): string | null {
  if (result === undefined) return null;
  try {
    const text = JSON.stringify(result);
    return text === undefined ? null : text;
  } catch (error) {
    throw new InvalidInputError({
      message: "the task's result is not JSON-serialisable",
      hint: "a handler returns plain data",
      cause: error,
    });
  }
}

/** A failure as recorded: code, message and hint only (whatever else the caller's object held stays out). */
export function serializeTaskError(error: TaskError): string {
  return JSON.stringify({
    code: String(error.code),
    message: String(error.message),
    ...(error.hint ? { hint: String(error.hint) } : {}),
  });
}

/** The error recorded when a task's holder stopped heart-beating on its last attempt. */
export function workerLostError(attempts: number): TaskError {
  return {
    code: "worker_lost",
    message: `the worker running it stopped before finishing (${attempts} attempt${attempts === 1 ? "" : "s"})`,
    hint: "check the worker logs; a task that crashes its worker is left in the dead letter",
  };
}

/** The error `submit` throws at capacity. */
export function queueFullError(capacity: number, kind: string): QueueFullError {
  return new QueueFullError({
    message: `the ${kind} scheduler queue is full (${capacity} active tasks)`,
    hint: "wait for the workers to catch up, add workers, or raise the queue's capacity",
  });
}

/**
 * Wakes blocked claims when a task becomes ready, without polling: `wait` resolves on `notify`,
 * after `ms`, on `signal`'s abort, or on `close`, whichever comes first.
 */
export class Wakeup {
  private waiters = new Set<() => void>();

  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.waiters.add(done);
    });
  }

  close(): void {
    this.notify();
  }
}
