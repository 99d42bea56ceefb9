import { MemosError } from "./memos-error.js";

const marker = Symbol.for("memos-ts.error.queue_full");

/**
 * The scheduler's queue is at capacity. Callers that already committed their own work (an add)
 * still acknowledge it; the backpressure shows in the scheduler's status.
 */
export class QueueFullError extends MemosError {
  private readonly [marker] = true;

  constructor(options: { message: string; hint?: string; cause?: unknown }) {
    super({ ...options, code: "queue_full" });
    this.name = "QueueFullError";
  }

  static override isInstance(error: unknown): error is QueueFullError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
