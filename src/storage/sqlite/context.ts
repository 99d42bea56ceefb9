import type Database from "better-sqlite3";
import type { FilterPassRates } from "../shared/pass-rates.js";

/**
 * What the store's modules (items, vector and keyword search, graph, portability, the ANN cache)
 * need of the connection: the engine (engine.ts) implements it. Modules take it instead of the
 * engine class, so they depend on these few calls and nothing imports in a circle.
 */
export interface SqliteContext {
  readonly db: Database.Database;
  /** The database file, or ":memory:". */
  readonly path: string;
  /** The vector dimension, once fixed (re-read while unknown: another process may fix it). */
  readonly dims: number | undefined;
  /** How selective each search filter has been lately (sizes over-fetching, see pass-rates.ts). */
  readonly passRates: FilterPassRates;
  /** A prepared statement from the connection's bounded cache, keyed by SQL text. */
  stmt(sql: string): Database.Statement;
  /** Run fn atomically: its own BEGIN IMMEDIATE, or a savepoint inside an open transaction. */
  write<T>(fn: () => T): T;
  /** Run several reads against one snapshot. */
  read<T>(fn: () => T): T;
  /** Memory-map the file (exact scans) or not (HNSW searches); a no-op inside a transaction. */
  memoryMap(on: boolean): void;
  /** Fix the dimension with the first vector, or check a vector against it. */
  ensureDimensions(length: number): void;
  /**
   * A key that changes with every commit to the cube, by this connection or another (not with
   * the uncommitted writes of an open transaction).
   */
  dataVersion(): string;
}
