import type Database from "better-sqlite3";
import { StorageError } from "../../core/errors/index.js";
import { HOT_COLUMNS } from "../shared/hot-columns.js";
import { cachedStatement } from "./statements.js";
import { INLINE_BYTES, VEC_METADATA_COLUMNS, vecColumnValue, vecTableDdl } from "./vec-columns.js";
import { VECTOR_LOG_DDL } from "./vector-log.js";

/** Version of the table layout this code writes. Bump it and append a migration to change it. */
export const SCHEMA_VERSION = 6;

/** Largest vector dimension we accept; sqlite-vec's own limit is far higher, real models stay below. */
export const MAX_DIMENSIONS = 16_384;

/** The keyword index's tokenizer: stems English words, folds case and diacritics. */
export const FTS_TOKENIZER = "porter unicode61 remove_diacritics 2";

const V1 = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- rid is an explicit INTEGER PRIMARY KEY (a rowid alias), so it survives VACUUM: the vec0 and
-- FTS5 rows are keyed by it. Callers only ever see the text id.
-- metadata is SQLite's binary JSON (JSONB): filters on arbitrary fields read it about 3x faster
-- than JSON text. Read it with json(metadata).
CREATE TABLE items (
  rid      INTEGER PRIMARY KEY,
  id       TEXT NOT NULL UNIQUE,
  memory   TEXT NOT NULL,
  metadata BLOB NOT NULL,
${HOT_COLUMNS.map((c) => `  ${c} GENERATED ALWAYS AS (json_extract(metadata, '$.${c}')) VIRTUAL`).join(",\n")}
);
${HOT_COLUMNS.map((c) => `CREATE INDEX items_${c} ON items(${c});`).join("\n")}
CREATE INDEX items_created_order ON items(created_at, id);
CREATE INDEX items_updated_order ON items(updated_at, id);

CREATE TABLE edges (
  source   TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  target   TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  type     TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  PRIMARY KEY (source, target, type)
) WITHOUT ROWID;
CREATE INDEX edges_target ON edges(target, source, type);

-- Keyword index over memory text, key and tags; rowid = items.rid. A regular (content-storing)
-- table keeps it self-contained, so integrity checks and rebuilds need nothing else.
CREATE VIRTUAL TABLE items_fts USING fts5(
  memory, key, tags,
  tokenize = '${FTS_TOKENIZER}'
);
`;

interface Migration {
  version: number;
  up(db: Database.Database): void;
}

/**
 * V2: the vector change log (vector-log.ts). It starts empty at the current generation, so an
 * index saved by an older version catches up only from here (an older one is rebuilt once).
 */
function v2(db: Database.Database): void {
  db.exec(VECTOR_LOG_DDL);
  db.prepare(
    `INSERT OR REPLACE INTO meta(key, value)
     VALUES ('vec_log_floor', coalesce((SELECT value FROM meta WHERE key = 'vec_generation'), '0'))`,
  ).run();
}

/**
 * V3: leaner write path. The single-column created_at / updated_at indexes duplicate the prefix
 * of the (created_at, id) / (updated_at, id) order indexes; memory_type becomes
 * (memory_type, status), so the capacity count of a memory type (every tree add) reads the
 * index alone instead of every row's metadata. One index fewer for each insert to maintain.
 */
const V3 = `
DROP INDEX IF EXISTS items_created_at;
DROP INDEX IF EXISTS items_updated_at;
DROP INDEX IF EXISTS items_memory_type;
CREATE INDEX IF NOT EXISTS items_type_status ON items(memory_type, status);
`;

/** V4: vec0 text columns over 12 bytes hold a digest (see vec-columns.ts). */
function v4(db: Database.Database): void {
  if (!tableExists(db, "vec_items")) return;
  db.function("memos_vec_value", { deterministic: true }, (v: unknown) => vecColumnValue(v));
  for (const c of VEC_METADATA_COLUMNS) {
    db.exec(
      `UPDATE vec_items SET ${c} = memos_vec_value(${c}) WHERE length(CAST(${c} AS BLOB)) > ${INLINE_BYTES}`,
    );
  }
}

/** V5: the vec0 table rebuilt with status as its partition key (same rows, same vectors). */
function v5(db: Database.Database): void {
  const dims = readMeta(db, "dimensions");
  if (dims === undefined || !tableExists(db, "vec_items")) return;
  const cols = VEC_METADATA_COLUMNS.join(", ");
  db.exec(`CREATE TEMP TABLE memos_vec_copy AS SELECT rowid AS rid, embedding, ${cols} FROM vec_items;
    DROP TABLE vec_items;
    ${vecTableDdl("vec_items", Number(dims))};
    INSERT INTO vec_items(rowid, embedding, ${cols}) SELECT rid, embedding, ${cols} FROM memos_vec_copy ORDER BY rid;
    DROP TABLE memos_vec_copy;`);
}

/**
 * V6: (memory_type, status, updated_at, id) replaces (memory_type, status). The capacity count of
 * a memory type still reads only the index (its prefix), and the tree's eviction reads a type's
 * oldest activated memories in index order instead of sorting all of them (`leastValuable`).
 */
const V6 = `
DROP INDEX IF EXISTS items_type_status;
CREATE INDEX IF NOT EXISTS items_type_status_updated ON items(memory_type, status, updated_at, id);
`;

/** Ordered list of migrations; migration n brings a database from version n-1 to n. */
const MIGRATIONS: Migration[] = [
  { version: 1, up: (db) => db.exec(V1) },
  { version: 2, up: v2 },
  { version: 3, up: (db) => db.exec(V3) },
  { version: 4, up: v4 },
  { version: 5, up: v5 },
  { version: 6, up: (db) => db.exec(V6) },
];

export function readMeta(db: Database.Database, key: string): string | undefined {
  if (!tableExists(db, "meta")) return undefined;
  const row = cachedStatement(db, "SELECT value FROM meta WHERE key = ?").get(key) as
    | { value: string }
    | undefined;
  return row?.value;
}

export function writeMeta(db: Database.Database, key: string, value: string): void {
  cachedStatement(
    db,
    "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  ).run(key, value);
}

export function tableExists(db: Database.Database, name: string): boolean {
  return cachedStatement(db, "SELECT 1 FROM sqlite_master WHERE name = ?").get(name) !== undefined;
}

/** Bring the database to SCHEMA_VERSION, in one transaction. Refuses files from a newer version. */
export function migrate(db: Database.Database): void {
  // Read the version under the write lock: two processes may open a new file at once.
  db.transaction(() => migrateLocked(db)).immediate();
}

function migrateLocked(db: Database.Database): void {
  const current = Number(readMeta(db, "schema_version") ?? 0);
  if (!Number.isInteger(current) || current < 0) {
    throw new StorageError({
      message: `corrupt meta table: schema_version is "${readMeta(db, "schema_version")}"`,
      hint: "restore the cube from a `memos dump`, or delete the file to start empty",
    });
  }
  if (current > SCHEMA_VERSION) {
    throw new StorageError({
      message: `this cube file has schema version ${current}; this memos-ts understands up to ${SCHEMA_VERSION}`,
      hint: "upgrade memos-ts to open it",
    });
  }
  if (current === SCHEMA_VERSION) return;
  for (const m of MIGRATIONS) {
    if (m.version > current) m.up(db);
  }
  writeMeta(db, "schema_version", String(SCHEMA_VERSION));
}

/** The vec0 table is created when the first vector arrives, since its dimension is fixed then. */
export function createVectorTable(db: Database.Database, dimensions: number): void {
  db.exec(vecTableDdl("vec_items", dimensions));
  writeMeta(db, "dimensions", String(dimensions));
}

/** Which committed state of the vectors a derived index (see ann.ts) must match. */
export interface VectorStamp {
  /** Random per cube file, so an index left beside a recreated file never matches it. */
  epoch: string;
  /** Bumped in the same transaction as every vector write or delete. */
  generation: number;
}

/** Give the cube its random epoch if it has none yet (idempotent; call under the write lock). */
export function ensureVectorEpoch(db: Database.Database): void {
  cachedStatement(
    db,
    "INSERT OR IGNORE INTO meta(key, value) VALUES ('ann_epoch', lower(hex(randomblob(8))))",
  ).run();
}

export function readVectorStamp(db: Database.Database): VectorStamp {
  const rows = cachedStatement(
    db,
    "SELECT key, value FROM meta WHERE key IN ('ann_epoch', 'vec_generation')",
  ).all() as { key: string; value: string }[];
  const get = (k: string) => rows.find((r) => r.key === k)?.value;
  return { epoch: get("ann_epoch") ?? "", generation: Number(get("vec_generation") ?? 0) };
}

/** Record a vector change; must run inside the transaction that makes it. Returns the new generation. */
export function bumpVectorGeneration(db: Database.Database): number {
  ensureVectorEpoch(db);
  const row = cachedStatement(
    db,
    `INSERT INTO meta(key, value) VALUES ('vec_generation', '1')
     ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
     RETURNING value`,
  ).get() as { value: string };
  return Number(row.value);
}
