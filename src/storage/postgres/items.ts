import { InvalidInputError, NotFoundError, StorageError } from "../../core/errors/index.js";
import type { ListOptions, StoredItem } from "../../core/interfaces/store.js";
import type { FilterNode, MemoryFilter } from "../../core/schema/filter.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { resolveFilter } from "../shared/resolve-filter.js";
import { ftsColumns } from "../shared/search-text.js";
import { listParams } from "../shared/store-input.js";
import { assertId, assertIds, type PreparedItem, prepareBatch, prepareItem } from "../shared/validate.js";
import { dimensionMismatch } from "../shared/vector-input.js";
import { compileFilter } from "./filter-sql.js";
import { annIndexDdl, TS_CONFIG } from "./schema.js";
import type { CubeState, Session } from "./session.js";
import { parseVector, vectorText } from "./sql.js";

type Filter = MemoryFilter | FilterNode | undefined;

/** Largest dimension pgvector's `vector` type holds. */
export const MAX_DIMENSIONS = 16_000;
/** Largest dimension pgvector's HNSW index takes for `vector`; beyond it search stays exact. */
export const MAX_INDEXED_DIMENSIONS = 2000;

/** Tokens in a tsvector (every position of every lexeme): the document length BM25 needs. */
export const DOC_LEN_SQL =
  "(SELECT coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0)::int FROM unnest(v.tsv) AS u)";

export interface ItemRow {
  id: string;
  memory: string;
  metadata: Record<string, unknown>;
}

/** Stored metadata is the zod-parsed form (defaults filled, embedding removed), as in the SQLite store. */
export function toItem(row: ItemRow): TextualMemoryItem {
  return { id: row.id, memory: row.memory, metadata: row.metadata } as TextualMemoryItem;
}

/** The keyword document of an item: its text, key and tags. */
function ftsText(p: PreparedItem): string {
  return ftsColumns(p.memory, p.metadata).join("\n");
}

/** PostgreSQL text cannot hold U+0000 (SQLite can): refuse it clearly instead of a driver error. */
function assertNoNul(p: PreparedItem): void {
  if (p.memory.includes("\u0000") || p.metadataJson.includes("\\u0000")) {
    throw new InvalidInputError({
      message: `memory ${p.id} contains the NUL character (U+0000), which PostgreSQL cannot store`,
      hint: "strip NUL characters from the text and metadata before adding it",
    });
  }
}

/** Re-read the cube's dimension and index flag (another process, or a rollback, may have changed them). */
export async function refreshCube(s: Session, cube: CubeState): Promise<void> {
  const { rows } = await s.query<{ dims: number | null; ann_index: boolean }>(
    "SELECT dims, ann_index FROM memos_cubes WHERE cube = ?",
    [cube.cube],
  );
  const row = rows[0];
  if (!row) {
    throw new StorageError({
      message: `cube "${cube.cubeId}" is no longer in this database`,
      hint: "it was dropped while the store was open; open the store again",
    });
  }
  cube.dims = row.dims === null ? undefined : Number(row.dims);
  cube.annIndex = row.ann_index === true;
}

/** Fix the cube's dimension with the first vector (inside the caller's transaction), or check against it. */
export async function ensureDimensions(s: Session, cube: CubeState, length: number): Promise<void> {
  if (cube.dims === undefined) {
    const { rows } = await s.query<{ dims: number | null }>(
      "SELECT dims FROM memos_cubes WHERE cube = ? FOR UPDATE",
      [cube.cube],
    );
    const stored = rows[0]?.dims;
    if (stored !== null && stored !== undefined) cube.dims = Number(stored);
    else {
      if (length > MAX_DIMENSIONS) {
        throw new InvalidInputError({
          message: `embedding has ${length} dimensions; pgvector holds at most ${MAX_DIMENSIONS}`,
          hint: "use an embedding model with fewer dimensions",
        });
      }
      await s.query("UPDATE memos_cubes SET dims = ? WHERE cube = ?", [length, cube.cube]);
      cube.dims = length;
    }
  }
  if (length !== cube.dims) throw dimensionMismatch(length, cube.dims as number);
}

async function checkDimensions(s: Session, cube: CubeState, prepared: PreparedItem[]): Promise<void> {
  for (const p of prepared) if (p.vector) await ensureDimensions(s, cube, p.vector.length);
}

/**
 * Build the cube's HNSW index once it holds `annThreshold` vectors: in the write that crosses it,
 * so the index and the flag commit (or roll back) together.
 */
export async function maybeBuildAnnIndex(s: Session, cube: CubeState): Promise<void> {
  if (cube.annIndex || cube.dims === undefined || !Number.isFinite(cube.annThreshold)) return;
  if (cube.dims > MAX_INDEXED_DIMENSIONS) return;
  const { rows } = await s.query<{ n: string }>(
    "SELECT count(*) AS n FROM memos_items WHERE cube = ? AND embedding IS NOT NULL",
    [cube.cube],
  );
  if (Number(rows[0]?.n ?? 0) < cube.annThreshold) return;
  await s.query(annIndexDdl(cube.cube, cube.dims));
  await s.query("UPDATE memos_cubes SET ann_index = true WHERE cube = ?", [cube.cube]);
  cube.annIndex = true;
}

/** Insert (or, with `upsert`, insert-or-replace) prepared items in one statement. */
export async function writeRows(s: Session, cube: CubeState, prepared: PreparedItem[], upsert: boolean) {
  prepared.forEach(assertNoNul);
  await checkDimensions(s, cube, prepared);
  const conflict = upsert
    ? `ON CONFLICT (cube, id) DO UPDATE SET memory = excluded.memory, metadata = excluded.metadata,
         tsv = excluded.tsv, doc_len = excluded.doc_len,
         embedding = coalesce(excluded.embedding, memos_items.embedding)`
    : "";
  try {
    await s.query(
      `INSERT INTO memos_items (cube, id, memory, metadata, embedding, tsv, doc_len)
       SELECT ?, t.id, t.memory, t.metadata, t.embedding::vector, v.tsv, ${DOC_LEN_SQL}
       FROM unnest(?::text[], ?::text[], ?::jsonb[], ?::text[], ?::text[])
         WITH ORDINALITY AS t(id, memory, metadata, embedding, fts, ord)
       CROSS JOIN LATERAL (SELECT to_tsvector('${TS_CONFIG}', t.fts) AS tsv) AS v
       ORDER BY t.ord
       ${conflict}`,
      [
        cube.cube,
        prepared.map((p) => p.id),
        prepared.map((p) => p.memory),
        prepared.map((p) => p.metadataJson),
        prepared.map((p) => (p.vector ? vectorText(p.vector) : null)),
        prepared.map(ftsText),
      ],
    );
  } catch (error) {
    if ((error as { code?: unknown }).code === "23505") {
      throw new StorageError({
        message: "a memory of this batch already exists; nothing of the batch was written",
        hint: "use upsertItems or updateItem to change an existing memory",
        cause: error,
      });
    }
    throw error;
  }
  if (prepared.some((p) => p.vector)) await maybeBuildAnnIndex(s, cube);
}

export function prepareAdd(items: StoredItem[]): PreparedItem[] {
  const prepared = prepareBatch(items, "addItems");
  const seen = new Set<string>();
  for (const p of prepared) {
    if (seen.has(p.id)) {
      throw new StorageError({
        message: `id ${p.id} appears twice in this batch; nothing was written`,
        hint: "give every memory its own id (newId()), or use upsertItems",
      });
    }
    seen.add(p.id);
  }
  return prepared;
}

/** An upsert batch applies in order, so the last item of a repeated id wins (one statement cannot touch a row twice). */
export function prepareUpsert(items: StoredItem[]): PreparedItem[] {
  const byId = new Map<string, PreparedItem>();
  for (const p of prepareBatch(items, "upsertItems")) {
    const earlier = byId.get(p.id);
    byId.delete(p.id);
    // A later item without a vector keeps the vector an earlier one in the batch gave.
    byId.set(p.id, p.vector || !earlier?.vector ? p : { ...p, vector: earlier.vector });
  }
  return [...byId.values()];
}

export function prepareUpdate(id: string, item: TextualMemoryItem, embedding?: Float32Array): PreparedItem {
  assertId(id, "updateItem id");
  const p = prepareItem({ item, ...(embedding === undefined ? {} : { embedding }) }, "item");
  if (p.id !== id) {
    throw new InvalidInputError({
      message: `updateItem(${id}) was given an item with id ${p.id}`,
      hint: "an update keeps the id; to re-key a memory, add the new one and delete the old",
    });
  }
  return p;
}

export async function updateRow(s: Session, cube: CubeState, p: PreparedItem): Promise<void> {
  assertNoNul(p);
  if (p.vector) await ensureDimensions(s, cube, p.vector.length);
  const { rowCount } = await s.query(
    `UPDATE memos_items AS i SET memory = ?, metadata = ?::jsonb,
       embedding = coalesce(?::vector, i.embedding), tsv = v.tsv, doc_len = ${DOC_LEN_SQL}
     FROM (SELECT to_tsvector('${TS_CONFIG}', ?::text) AS tsv) AS v
     WHERE i.cube = ? AND i.id = ?`,
    [p.memory, p.metadataJson, p.vector ? vectorText(p.vector) : null, ftsText(p), cube.cube, p.id],
  );
  if (rowCount === 0) {
    throw new NotFoundError({ message: `memory ${p.id} not found`, hint: "use addItems to create it" });
  }
  if (p.vector) await maybeBuildAnnIndex(s, cube);
}

const ITEM_COLUMNS = "i.id, i.memory, i.metadata";

export async function getItems(s: Session, cube: CubeState, ids: string[]): Promise<TextualMemoryItem[]> {
  assertIds(ids, "getItems");
  if (ids.length === 0) return [];
  const { rows } = await s.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM memos_items i WHERE i.cube = ? AND i.id = ANY(?::text[])`,
    [cube.cube, ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: TextualMemoryItem[] = [];
  for (const id of new Set(ids)) {
    const row = byId.get(id);
    if (row) out.push(toItem(row));
  }
  return out;
}

/** Vectors of many items in one query (absent ids and items without a vector are left out). */
export async function getEmbeddings(
  s: Session,
  cube: CubeState,
  ids: string[],
): Promise<Map<string, Float32Array>> {
  assertIds(ids, "getEmbeddings");
  if (ids.length === 0) return new Map();
  const { rows } = await s.query<{ id: string; embedding: string }>(
    `SELECT id, embedding::text AS embedding FROM memos_items
     WHERE cube = ? AND id = ANY(?::text[]) AND embedding IS NOT NULL`,
    [cube.cube, ids],
  );
  return new Map(rows.map((r) => [r.id, parseVector(r.embedding)]));
}

export async function deleteItems(s: Session, cube: CubeState, ids: string[]): Promise<number> {
  assertIds(ids, "deleteItems");
  if (ids.length === 0) return 0;
  // Edges go with the item: ON DELETE CASCADE.
  const { rowCount } = await s.query("DELETE FROM memos_items WHERE cube = ? AND id = ANY(?::text[])", [
    cube.cube,
    ids,
  ]);
  return rowCount;
}

export async function deleteWhere(s: Session, cube: CubeState, filter: Filter): Promise<number> {
  const w = compileFilter(resolveFilter(filter));
  const { rowCount } = await s.query(`DELETE FROM memos_items i WHERE i.cube = ? AND ${w.sql}`, [
    cube.cube,
    ...w.params,
  ]);
  return rowCount;
}

export async function listItems(
  s: Session,
  cube: CubeState,
  options: ListOptions = {},
): Promise<TextualMemoryItem[]> {
  const { limit, offset, orderBy, order } = listParams(options);
  const w = compileFilter(resolveFilter(options.filter));
  // NULLS FIRST ascending (and last descending), as SQLite orders them.
  const dir = order === "asc" ? "ASC NULLS FIRST" : "DESC NULLS LAST";
  const idDir = order === "asc" ? "ASC" : "DESC";
  const { rows } = await s.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM memos_items i WHERE i.cube = ? AND ${w.sql}
     ORDER BY i.${orderBy} ${dir}, i.id ${idDir} LIMIT ? OFFSET ?`,
    [cube.cube, ...w.params, limit ?? null, offset],
  );
  return rows.map(toItem);
}

export async function count(s: Session, cube: CubeState, filter: Filter): Promise<number> {
  const w = compileFilter(resolveFilter(filter));
  const { rows } = await s.query<{ n: string }>(
    `SELECT count(*) AS n FROM memos_items i WHERE i.cube = ? AND ${w.sql}`,
    [cube.cube, ...w.params],
  );
  return Number(rows[0]?.n ?? 0);
}
