import type { Pool, PoolClient, PoolConfig } from "pg";
import { InvalidInputError } from "../../core/errors/index.js";
import { importOptional } from "../../providers/shared/lazy.js";

/** What the store needs of the `pg` module: its Pool, and its type parsers. */
type PgModule = typeof import("pg");

let loaded: Promise<PgModule> | undefined;

/** The `pg` package, imported on first use; a missing one is a MissingDependencyError naming it. */
export function loadPg(): Promise<PgModule> {
  loaded ??= importOptional<PgModule & { default?: PgModule }>("pg", "the postgres store").then(
    (m) => (m.default ?? m) as PgModule,
  );
  return loaded;
}

/** Options of the pool a Postgres store opens (or shares with other stores on the same URL). */
export interface PgPoolOptions {
  /** `postgres://user:pass@host:port/db`. */
  url: string;
  /**
   * Most connections the pool opens (default 10). PGlite served by pglite-socket runs one
   * backend, and interleaving two connections' extended-protocol messages there is unsafe:
   * use 1 against PGlite (the test harness does).
   */
  max?: number;
}

interface SharedPool {
  pool: Pool;
  refs: number;
}

/**
 * Pools by URL and size: every store (one per cube) on the same database shares one pool, so a
 * process with many cubes holds `max` connections, not `max` per cube. Released when the last
 * store on it closes.
 */
const pools = new Map<string, SharedPool>();

function poolKey(o: PgPoolOptions): string {
  return `${o.max ?? ""}|${o.url}`;
}

/** A reference to a shared pool; `release()` once, when the store closes. */
export interface PoolRef {
  readonly pool: Pool;
  release(): Promise<void>;
}

/** Take a reference to the shared pool for these options, creating it on first use. */
export async function acquirePool(options: PgPoolOptions): Promise<PoolRef> {
  if (typeof options.url !== "string" || !/^postgres(ql)?:\/\//.test(options.url)) {
    throw new InvalidInputError({
      message: "the postgres store needs a connection URL (postgres://user:pass@host:port/db)",
      hint: "pass {url}, or set MEMOS_PG_URL",
    });
  }
  if (options.max !== undefined && !(Number.isInteger(options.max) && options.max >= 1)) {
    throw new InvalidInputError({
      message: `pool size must be a positive integer, got ${String(options.max)}`,
      hint: "e.g. {max: 10}; use 1 against PGlite",
    });
  }
  const key = poolKey(options);
  let shared = pools.get(key);
  if (!shared) {
    const pg = await loadPg();
    // Another caller may have made it while the import was pending.
    shared = pools.get(key);
    if (!shared) {
      const config: PoolConfig = { connectionString: options.url, max: options.max ?? 10 };
      const pool = new pg.Pool(config);
      // An idle client's connection dropping must not crash the process; the next query reconnects.
      pool.on("error", () => {});
      shared = { pool, refs: 0 };
      pools.set(key, shared);
    }
  }
  shared.refs++;
  const held = shared;
  let released = false;
  return {
    pool: held.pool,
    async release() {
      if (released) return;
      released = true;
      held.refs--;
      if (held.refs === 0 && pools.get(key) === held) {
        pools.delete(key);
        await held.pool.end();
      }
    },
  };
}

export type { Pool, PoolClient };
