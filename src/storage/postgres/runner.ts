import { AsyncLocalStorage } from "node:async_hooks";
import { InvalidInputError, StorageError } from "../../core/errors/index.js";
import type { PoolClient, PoolRef } from "./driver.js";
import { toPgStoreError } from "./errors.js";
import { refreshCube } from "./items.js";
import type { CubeState, Session } from "./session.js";
import { numbered } from "./sql.js";

export function sessionOf(client: PoolClient): Session {
  return {
    async query(sql, params = []) {
      const r = await client.query(numbered(sql), params);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    },
  };
}

/**
 * One open transaction (depth 1) or savepoint (deeper) on a client. Its operations run one at a
 * time (`chain`), each in a savepoint of its own, so a failed call rolls back only itself and the
 * transaction goes on, as with SQLite.
 */
export class Level {
  private open = true;
  chain: Promise<unknown> = Promise.resolve();
  constructor(
    readonly client: PoolClient,
    readonly depth: number,
    private readonly parent?: Level,
  ) {}

  get active(): boolean {
    return this.open && (this.parent?.active ?? true);
  }

  finish(): void {
    this.open = false;
  }
}

function finished(): StorageError {
  return new StorageError({
    message: "this transaction has already finished",
    hint: "use the `tx` handle only inside the function passed to transaction(), and await every call",
  });
}

/**
 * Where each store call runs and how it is made atomic: outside a transaction on a pooled
 * connection (writes in BEGIN ... COMMIT), inside one on its client (writes in a savepoint). Code
 * inside `transaction(fn)` may use the store or the handle alike: an AsyncLocalStorage routes its
 * calls to the open transaction.
 */
export class Runner {
  private readonly context = new AsyncLocalStorage<Level>();
  closed = false;

  constructor(
    private readonly ref: PoolRef,
    readonly cube: CubeState,
  ) {}

  private levelFor(handle: Level | undefined): Level | undefined {
    if (handle && !handle.active) throw finished();
    const ctx = this.context.getStore();
    if (ctx?.active) return ctx;
    return handle;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new StorageError({
        message: "the postgres store is closed",
        hint: "open it again with createPostgresMemoryStore()",
      });
    }
  }

  /** Run `fn` after everything queued on the level, while the level is still open. */
  private serial<T>(level: Level, fn: () => Promise<T>): Promise<T> {
    const run = level.chain.then(() => {
      if (!level.active) throw finished();
      return fn();
    });
    level.chain = run.catch(() => {});
    return run;
  }

  /** Re-read the cube's dimension and index flag: after a rollback, or when another process may have changed them. */
  async refresh(on?: PoolClient): Promise<void> {
    const client = on ?? (await this.ref.pool.connect());
    try {
      await refreshCube(sessionOf(client), this.cube);
    } finally {
      if (!on) client.release();
    }
  }

  async call<T>(
    handle: Level | undefined,
    kind: "read" | "write",
    op: (s: Session) => Promise<T>,
  ): Promise<T> {
    try {
      this.assertOpen();
      const level = this.levelFor(handle);
      if (level)
        return await this.serial(level, () =>
          kind === "read" ? op(sessionOf(level.client)) : this.savepoint(level, op),
        );
      const client = await this.ref.pool.connect();
      let failed = false;
      try {
        const s = sessionOf(client);
        if (kind === "read") return await op(s);
        await client.query("BEGIN");
        try {
          const out = await op(s);
          await client.query("COMMIT");
          return out;
        } catch (error) {
          failed = true;
          await client.query("ROLLBACK").catch(() => {});
          throw error;
        }
      } finally {
        client.release();
        if (failed) await this.refresh().catch(() => {});
      }
    } catch (error) {
      throw toPgStoreError(error);
    }
  }

  private async savepoint<T>(level: Level, op: (s: Session) => Promise<T>): Promise<T> {
    const s = sessionOf(level.client);
    await s.query("SAVEPOINT memos_op");
    try {
      const out = await op(s);
      await s.query("RELEASE SAVEPOINT memos_op");
      return out;
    } catch (error) {
      await s.query("ROLLBACK TO SAVEPOINT memos_op; RELEASE SAVEPOINT memos_op").catch(() => {});
      await this.refresh(level.client).catch(() => {});
      throw error;
    }
  }

  async transaction<T, H>(
    handle: Level | undefined,
    fn: (tx: H) => Promise<T>,
    makeHandle: (level: Level) => H,
  ): Promise<T> {
    if (typeof fn !== "function") {
      throw new InvalidInputError({
        message: "transaction() expects an async function",
        hint: "store.transaction(async (tx) => { ... })",
      });
    }
    let parent: Level | undefined;
    try {
      this.assertOpen();
      parent = this.levelFor(handle);
    } catch (error) {
      throw toPgStoreError(error);
    }
    if (parent) {
      const p = parent;
      return this.serial(p, () => this.runLevel(p.client, p.depth + 1, p, fn, makeHandle));
    }
    let client: PoolClient;
    try {
      client = await this.ref.pool.connect();
    } catch (error) {
      throw toPgStoreError(error);
    }
    try {
      return await this.runLevel(client, 1, undefined, fn, makeHandle);
    } finally {
      client.release();
    }
  }

  /** Open a transaction (depth 1) or savepoint, run fn in it, then commit or roll back. */
  private async runLevel<T, H>(
    client: PoolClient,
    depth: number,
    parent: Level | undefined,
    fn: (tx: H) => Promise<T>,
    makeHandle: (level: Level) => H,
  ): Promise<T> {
    const name = `memos_tx_${depth}`;
    const [begin, commit, rollback] =
      depth === 1
        ? ["BEGIN", "COMMIT", "ROLLBACK"]
        : [
            `SAVEPOINT ${name}`,
            `RELEASE SAVEPOINT ${name}`,
            `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`,
          ];
    try {
      await client.query(begin);
    } catch (error) {
      throw toPgStoreError(error);
    }
    const level = new Level(client, depth, parent);
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await this.context.run(level, () => fn(makeHandle(level))) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    // Calls fn started but did not await still belong to the transaction: let them finish.
    let drained: Promise<unknown>;
    do {
      drained = level.chain;
      await drained;
    } while (drained !== level.chain);
    level.finish();
    if (outcome.ok) {
      try {
        await client.query(commit);
        return outcome.value;
      } catch (error) {
        outcome = { ok: false, error: toPgStoreError(error) };
      }
    }
    await client.query(rollback).catch(() => {});
    await this.refresh(client).catch(() => {});
    throw outcome.error;
  }

  async close(handle: Level | undefined): Promise<void> {
    if (handle || this.context.getStore()?.active) {
      throw new StorageError({
        message: "cannot close the store from inside a transaction",
        hint: "close it after transaction() has returned",
      });
    }
    if (this.closed) return;
    this.closed = true;
    await this.ref.release();
  }
}
