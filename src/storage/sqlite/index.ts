/**
 * The embedded default store: one SQLite file per cube, with sqlite-vec for vectors and FTS5
 * for BM25 keyword search.
 *
 * @example
 * import { createSqliteMemoryStore } from "memos-ts/storage/sqlite";
 * const store = await createSqliteMemoryStore({ path: "cube.db", cubeId: "default" });
 */

export { type AnnStatus, DEFAULT_ANN_THRESHOLD } from "./ann-cache.js";
export type { IntegrityReport } from "./portability.js";
export { createSqliteMemoryStore, SqliteMemoryStore, type SqliteMemoryStoreOptions } from "./store.js";
