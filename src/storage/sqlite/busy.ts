import { setTimeout as sleep } from "node:timers/promises";
import { InvalidInputError, StorageError } from "../../core/errors/index.js";

/** Default bound on waiting for another process's write lock before a call fails. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** First retry delay; it doubles per retry up to {@link MAX_DELAY_MS}, with jitter. */
const FIRST_DELAY_MS = 5;
const MAX_DELAY_MS = 250;

/** How often this store met another connection's lock, and how long it waited. */
export interface LockStats {
  /** Calls retried after SQLITE_BUSY (each retry counts). */
  busyRetries: number;
  /** Total time spent backing off. */
  waitedMs: number;
  /** Calls that still found the cube locked after `lockTimeoutMs`, and failed. */
  gaveUp: number;
}

/** SQLITE_BUSY and its extended codes (BUSY_RECOVERY, BUSY_SNAPSHOT, BUSY_TIMEOUT). */
export function isBusy(error: unknown): boolean {
  // Also when already wrapped (opening the store wraps SQLite's errors in a StorageError).
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_"))) return true;
  }
  return false;
}

export function checkLockTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_LOCK_TIMEOUT_MS;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidInputError({
      message: `lockTimeoutMs must be a non-negative number of milliseconds, got ${String(value)}`,
      hint: `e.g. {lockTimeoutMs: ${DEFAULT_LOCK_TIMEOUT_MS}}`,
    });
  }
  return value;
}

/**
 * Retries a synchronous SQLite call that met another process's lock (SQLITE_BUSY once SQLite's
 * own short busy handler gave up), with exponential backoff and jitter, awaiting between tries
 * so the process's event loop (a server's other requests) runs meanwhile. Past `timeoutMs` it
 * throws a StorageError saying who to look at; SQLITE_BUSY itself never reaches a caller.
 *
 * Only calls whose failed attempt left nothing behind are retried: the caller says so (an
 * autocommit call, or the BEGIN of a transaction), never a statement inside an open transaction.
 */
export class BusyRetry {
  readonly stats: LockStats = { busyRetries: 0, waitedMs: 0, gaveUp: 0 };

  constructor(readonly timeoutMs: number) {}

  async run<T>(attempt: () => T, retryable: () => boolean): Promise<T> {
    const start = performance.now();
    for (let tries = 0; ; tries++) {
      try {
        return attempt();
      } catch (error) {
        if (!isBusy(error)) throw error;
        const waited = performance.now() - start;
        if (!retryable() || waited >= this.timeoutMs) {
          this.stats.gaveUp++;
          throw busyError(waited, error);
        }
        const backoff = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** tries) * (0.5 + Math.random() / 2);
        const delay = Math.min(backoff, this.timeoutMs - waited);
        this.stats.busyRetries++;
        const before = performance.now();
        await sleep(delay);
        this.stats.waitedMs += performance.now() - before;
      }
    }
  }
}

function busyError(waitedMs: number, cause: unknown): StorageError {
  return new StorageError({
    message: `the cube stayed locked by another connection for ${Math.round(waitedMs)} ms (SQLITE_BUSY), so this call did not run`,
    hint:
      "another process (a `memos worker`, a server, an import) held this cube's write lock longer than " +
      "lockTimeoutMs: retry, raise lockTimeoutMs, or find the process keeping a transaction open",
    cause,
  });
}
