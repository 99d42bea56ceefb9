/** A FIFO async mutex: `lock` resolves when the caller owns it; `unlock` hands it to the next. */
class Mutex {
  private locked = false;
  private readonly waiters: (() => void)[] = [];

  lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

/**
 * One level of transaction nesting. The root level is the store itself; each open transaction
 * is a child level. A level's mutex is held by each operation run at that level (briefly, they
 * are synchronous) and by a child transaction for its whole duration, so nothing else runs at a
 * level while a transaction opened from it is in progress.
 */
export class Level {
  private open = true;
  readonly mutex = new Mutex();
  constructor(
    readonly depth: number,
    private readonly parent?: Level,
  ) {}

  /** A level is usable while it and every enclosing transaction are still open. */
  get active(): boolean {
    return this.open && (this.parent?.active ?? true);
  }

  finish(): void {
    this.open = false;
  }
}
