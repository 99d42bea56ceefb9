/**
 * Runs tasks one at a time, in call order. A llama.cpp context sequence holds one conversation's
 * KV cache; two generations interleaving on it would corrupt each other, so every use of a
 * sequence goes through one of these.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * Run `task` after every earlier task has settled. A `signal` aborted while waiting rejects
   * without running the task (its turn is then skipped).
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const result = this.tail.then(() => {
      signal?.throwIfAborted();
      return task();
    });
    // The chain must survive failures: the next task waits for settlement, not success.
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * A push-to-pull bridge: callbacks `push` values, an async iterator pulls them. Used to turn
 * node-llama-cpp's `onTextChunk` callbacks into an `AsyncIterable`.
 */
export class Channel<T> {
  private buffer: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private failure: { error: unknown } | undefined;
  private closed = false;

  push(value: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value, done: false });
    } else this.buffer.push(value);
  }

  close(error?: { error: unknown }): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    // A waiting reader means the buffer is empty: wake it; `next` reports the end or the error.
    const w = this.waiting;
    this.waiting = undefined;
    w?.({ value: undefined, done: true });
  }

  async next(): Promise<IteratorResult<T>> {
    const value = this.buffer.shift();
    if (value !== undefined) return { value, done: false };
    if (this.failure) throw this.failure.error;
    if (this.closed) return { value: undefined, done: true };
    const r = await new Promise<IteratorResult<T>>((resolve) => {
      this.waiting = resolve;
    });
    const failure = this.failure as { error: unknown } | undefined; // set by `close` while we waited
    if (r.done && failure) throw failure.error;
    return r;
  }
}
