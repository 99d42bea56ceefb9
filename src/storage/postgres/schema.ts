import { StorageError } from "../../core/errors/index.js";
import { HOT_COLUMNS } from "./filter-sql.js";

/** Version of the table layout this code writes. Bump it and append a migration to change it. */
export const SCHEMA_VERSION = 2;

/** The text search configuration of the keyword index (see V1). */
export const TS_CONFIG = "memos_english";

/** Any constant both processes agree on: serialises schema migrations across processes. */
const MIGRATION_LOCK = 7_326_011;

/**
 * Version 1. Every cube lives in the same tables, keyed by a small integer (`memos_cubes.cube`):
 * many cubes in one database, each store scoped to its own. Text compares in the "C" collation
 * (code-point order, as JavaScript and SQLite compare), metadata is jsonb with the hot fields in
 * generated, indexed columns, the vector is an untyped pgvector column (each cube fixes its
 * dimension in `memos_cubes.dims`; the per-cube HNSW index casts to it), and the keyword index is
 * a tsvector with its token count for BM25.
 *
 * The text search configuration stems English words like the SQLite store's porter tokenizer
 * and, like it, keeps stop words: BM25 weighs them itself.
 */
const V1 = `
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TEXT SEARCH DICTIONARY memos_english_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION ${TS_CONFIG} (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION ${TS_CONFIG}
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart
  WITH memos_english_stem;

CREATE TABLE memos_cubes (
  cube       serial PRIMARY KEY,
  cube_id    text COLLATE "C" NOT NULL UNIQUE,
  dims       integer CHECK (dims > 0),
  ann_index  boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memos_items (
  cube     integer NOT NULL REFERENCES memos_cubes(cube) ON DELETE CASCADE,
  id       text COLLATE "C" NOT NULL,
  seq      bigint GENERATED ALWAYS AS IDENTITY,
  memory   text COLLATE "C" NOT NULL,
  metadata jsonb NOT NULL,
${HOT_COLUMNS.map((c) => `  ${c} text COLLATE "C" GENERATED ALWAYS AS (metadata ->> '${c}') STORED`).join(",\n")},
  embedding vector,
  tsv      tsvector NOT NULL,
  doc_len  integer NOT NULL,
  PRIMARY KEY (cube, id)
);
${HOT_COLUMNS.map((c) => `CREATE INDEX memos_items_${c} ON memos_items (cube, ${c});`).join("\n")}
CREATE INDEX memos_items_created_order ON memos_items (cube, created_at, id);
CREATE INDEX memos_items_updated_order ON memos_items (cube, updated_at, id);
CREATE INDEX memos_items_seq ON memos_items (cube, seq);
CREATE INDEX memos_items_tsv ON memos_items USING gin (tsv);

CREATE TABLE memos_edges (
  cube     integer NOT NULL,
  source   text COLLATE "C" NOT NULL,
  target   text COLLATE "C" NOT NULL,
  type     text COLLATE "C" NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (cube, source, target, type),
  FOREIGN KEY (cube, source) REFERENCES memos_items (cube, id) ON DELETE CASCADE,
  FOREIGN KEY (cube, target) REFERENCES memos_items (cube, id) ON DELETE CASCADE
);
CREATE INDEX memos_edges_target ON memos_edges (cube, target, source, type);
`;

/**
 * Version 2: (cube, memory_type, status, updated_at, id) replaces (cube, memory_type), as in the
 * SQLite store's v6: the tree's capacity eviction reads a type's oldest activated memories in
 * index order (`leastValuable`), and the capacity count reads the same index.
 */
const V2 = `
CREATE INDEX IF NOT EXISTS memos_items_type_status_updated
  ON memos_items (cube, memory_type, status, updated_at, id);
DROP INDEX IF EXISTS memos_items_memory_type;
`;

/** Ordered list of migrations; migration n brings a database from version n-1 to n. */
const MIGRATIONS: { version: number; sql: string }[] = [
  { version: 1, sql: V1 },
  { version: 2, sql: V2 },
];

/** What migrate() needs: one connection, so its transaction and lock hold across statements. */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Bring the database to SCHEMA_VERSION in one transaction, under an advisory lock so two
 * processes opening a fresh database at once do not both create the tables. Refuses a database
 * from a newer version.
 */
export async function migrate(client: SqlRunner): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS memos_schema_version (
         version    integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query("SELECT coalesce(max(version), 0) AS v FROM memos_schema_version");
    const current = Number(rows[0]?.v ?? 0);
    if (current > SCHEMA_VERSION) {
      throw new StorageError({
        message: `this database has memos schema version ${current}; this memos-ts understands up to ${SCHEMA_VERSION}`,
        hint: "upgrade memos-ts to use it",
      });
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO memos_schema_version (version) VALUES ($1)", [m.version]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** A cube's row: its key in every table, its vector dimension and whether its HNSW index exists. */
export interface CubeRow {
  cube: number;
  dims: number | undefined;
  annIndex: boolean;
}

/** Find or create the cube's row. */
export async function openCube(client: SqlRunner, cubeId: string): Promise<CubeRow> {
  await client.query("INSERT INTO memos_cubes (cube_id) VALUES ($1) ON CONFLICT (cube_id) DO NOTHING", [
    cubeId,
  ]);
  return readCube(client, cubeId);
}

export async function readCube(client: SqlRunner, cubeId: string): Promise<CubeRow> {
  const { rows } = await client.query("SELECT cube, dims, ann_index FROM memos_cubes WHERE cube_id = $1", [
    cubeId,
  ]);
  const row = rows[0];
  if (!row) {
    throw new StorageError({
      message: `cube "${cubeId}" is not in this database`,
      hint: "it was dropped while the store was open; open the store again",
    });
  }
  return {
    cube: Number(row.cube),
    dims: row.dims === null ? undefined : Number(row.dims),
    annIndex: row.ann_index === true,
  };
}

/**
 * The cube's HNSW index: a partial expression index over this cube's rows, its vectors cast to
 * the cube's dimension (an index needs one). Both numbers are ours (validated integers), not user
 * text, and DDL takes no parameters.
 */
export function annIndexDdl(cube: number, dims: number): string {
  if (!Number.isInteger(cube) || !Number.isInteger(dims)) throw new Error("cube and dims must be integers");
  return `CREATE INDEX IF NOT EXISTS memos_items_hnsw_${cube} ON memos_items
    USING hnsw ((embedding::vector(${dims})) vector_cosine_ops)
    WHERE cube = ${cube} AND embedding IS NOT NULL`;
}
