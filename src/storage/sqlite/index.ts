/**
 * The embedded default store: one SQLite file per cube, with sqlite-vec for vectors and FTS5
 * for BM25 keyword search.
 *
 * @example
 * import { createSqliteMemoryStore } from "memos-ts/storage/sqlite";
 * const store = await createSqliteMemoryStore({ path: "cube.db", cubeId: "default" });
 */

export { DEFAULT_ANN_THRESHOLD } from "../shared/store-input.js";
export type { AnnStatus } from "./ann-status.js";
export type { IntegrityReport } from "./portability.js";
export { createSqliteMemoryStore, SqliteMemoryStore, type SqliteMemoryStoreOptions } from "./store.js";
