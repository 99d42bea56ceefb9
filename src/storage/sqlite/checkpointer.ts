import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside whichever
 * commit takes the WAL past 1,000 pages: that commit then copies ~4 MB into the database file
 * and syncs it, and a search that only recorded usage takes tens of milliseconds (the p95 of a
 * tree search at 100k memories went from 24 to 35 ms on it). Instead, a worker thread with a
 * connection of its own runs PASSIVE checkpoints, which never wait for or block readers and the
 * writer, a little after commits. The connection's own automatic checkpoint stays on as a
 * backstop at a much larger WAL ({@link BACKSTOP_PAGES}), and goes back to SQLite's default if
 * the worker ever fails.
 *
 * The worker is plain JavaScript evaluated from a string (like the ANN builder) so it runs the
 * same under tsx, vitest and the compiled package.
 */
const WORKER_SOURCE = `
const { parentPort, workerData: w } = require("node:worker_threads");
const Database = require(w.sqlite);
parentPort.on("message", (m) => {
  if (m === "close") {
    parentPort.close();
    return;
  }
  // A connection per checkpoint, closed right after: when the store closes, its own connection
  // is then the last one, and SQLite checkpoints and removes the WAL as before, so the .db file
  // alone holds everything.
  let ok = true;
  let db;
  try {
    db = new Database(w.path, { fileMustExist: true });
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    ok = false;
  }
  try { if (db) db.close(); } catch {}
  parentPort.postMessage(ok);
});
`;

/** WAL pages at which the connection checkpoints by itself while the worker runs (~40 MB). */
export const BACKSTOP_PAGES = 10_000;
/** SQLite's default automatic checkpoint, restored when the worker fails. */
const DEFAULT_PAGES = 1_000;
/** A checkpoint starts this long after the first commit since the last one: commits batch up. */
const DELAY_MS = 50;

const requireFrom = createRequire(import.meta.url);

/**
 * Runs checkpoints of one database file on a worker thread, a little after commits.
 *
 * @example
 * const checkpointer = new WalCheckpointer(path, (pages) => db.pragma(`wal_autocheckpoint = ${pages}`));
 * // after every commit:
 * checkpointer.committed();
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private dirty = false;
  private failed = false;
  private closed = false;
  private waiters: (() => void)[] = [];
  /** Checkpoints the worker completed. */
  checkpoints = 0;

  /** `setAutoCheckpoint` sets the connection's own automatic checkpoint, in WAL pages. */
  constructor(
    private readonly path: string,
    private readonly setAutoCheckpoint: (pages: number) => void,
  ) {
    setAutoCheckpoint(BACKSTOP_PAGES);
  }

  /** A transaction committed on the connection: checkpoint soon. */
  committed(): void {
    if (this.failed || this.closed) return;
    this.dirty = true;
    if (!this.running && !this.timer) this.timer = setTimeout(() => this.run(), DELAY_MS).unref();
  }

  /** Resolves once no checkpoint is pending or running (for tests and benchmarks). */
  settled(): Promise<void> {
    if (!this.running && !this.timer) return Promise.resolve();
    // The timer and the worker never keep a process alive, except while someone waits on them:
    // a script that awaits this at top level would otherwise exit unsettled (code 13).
    this.timer?.ref();
    this.worker?.ref();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Stop: a checkpoint under way finishes, then the worker closes its connection and exits.
   * Resolves once it has, so that after the store closes no thread touches the cube's files (a
   * copy or a removal of the directory right after close saw a late WAL file appear).
   */
  close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const worker = this.worker;
    this.worker = undefined;
    this.wake();
    if (!worker) return Promise.resolve();
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    // Someone waits on it now: an unref'd worker would let a script awaiting close at top level
    // exit unsettled (code 13), as in settled().
    worker.ref();
    worker.postMessage("close");
    return exited;
  }

  private run(): void {
    this.timer = undefined;
    if (this.closed || this.failed || !this.dirty) {
      this.wake();
      return;
    }
    this.dirty = false;
    this.running = true;
    const worker = this.start();
    if (this.waiters.length > 0) worker.ref();
    worker.postMessage("checkpoint");
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path: this.path, sqlite: requireFrom.resolve("better-sqlite3") },
    });
    // Never keeps a process alive (a CLI command, a test run) once the rest is done.
    worker.unref();
    worker.on("message", (ok: boolean) => this.done(ok));
    worker.on("error", () => this.done(false));
    // Gone without answering (terminated at exit, or after close): nobody may wait forever.
    worker.on("exit", () => {
      // A worker that is gone is nobody's to wait for at close.
      if (this.worker === worker) this.worker = undefined;
      if (this.running) this.done(false);
    });
    this.worker = worker;
    return worker;
  }

  private done(ok: boolean): void {
    this.running = false;
    if (ok) this.checkpoints++;
    else if (!this.failed && !this.closed) {
      // The connection checkpoints by itself again, as SQLite does by default.
      this.failed = true;
      this.setAutoCheckpoint(DEFAULT_PAGES);
      void this.worker?.terminate();
      this.worker = undefined;
    }
    if (this.dirty && !this.failed && !this.closed) {
      this.timer = setTimeout(() => this.run(), DELAY_MS);
      if (this.waiters.length === 0) this.timer.unref();
    } else this.wake();
  }

  private wake(): void {
    if (this.running || this.timer) return;
    this.worker?.unref();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
