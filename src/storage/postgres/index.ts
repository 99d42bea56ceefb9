/**
 * The scale-out store: PostgreSQL with pgvector, many cubes in one database.
 *
 * @example
 * import { createPostgresMemoryStore } from "memos-ts/storage/postgres";
 * const store = await createPostgresMemoryStore({ url: process.env.MEMOS_PG_URL, cubeId: "default" });
 */
export { acquirePool, type PgPoolOptions, type PoolRef } from "./driver.js";
export { createPostgresMemoryStore, PostgresMemoryStore, type PostgresMemoryStoreOptions } from "./store.js";
