import { StorageError } from "../../core/errors/index.js";
import type { MemoryEdge } from "../../core/schema/memory.js";
import { ftsColumns } from "../shared/search-text.js";
import type { PreparedItem } from "../shared/validate.js";
import type { AnnCache } from "./ann-cache.js";
import type { SqliteContext } from "./context.js";
import { isUniqueViolation } from "./errors.js";
import { createVectorTable } from "./schema.js";
import { VEC_METADATA_COLUMNS, VEC_PARTITION_COLUMN, vecColumnValue } from "./vec-columns.js";
import { vectorBlob } from "./vectors.js";

const VEC_INSERT = `INSERT INTO vec_items(rowid, embedding, ${VEC_METADATA_COLUMNS.join(", ")})
  VALUES (?, ?, ${VEC_METADATA_COLUMNS.map(() => "?").join(", ")})`;

/**
 * The row-level writes behind items, import and edges: an item is one `items` row, one keyword
 * row and at most one vector, written together (callers run these inside `ctx.write`). Every
 * vector change is noted for the ANN cache.
 */
export class ItemRows {
  constructor(
    private readonly ctx: SqliteContext,
    private readonly ann: AnnCache,
  ) {}

  ridOf(id: string): number | undefined {
    const row = this.ctx.stmt("SELECT rid FROM items WHERE id = ?").get(id) as { rid: number } | undefined;
    return row?.rid;
  }

  private insertKeywordRow(rid: number, p: PreparedItem): void {
    this.ctx
      .stmt("INSERT INTO items_fts(rowid, memory, key, tags) VALUES (?, ?, ?, ?)")
      .run(BigInt(rid), ...ftsColumns(p.memory, p.metadata));
  }

  private insertVector(rid: number, vector: Float32Array, metadata: Record<string, unknown>): void {
    // A copy: the caller may reuse its array before the transaction commits.
    this.ann.changed({ op: "upsert", rid, vector: vector.slice() });
    this.ctx
      .stmt(VEC_INSERT)
      .run(BigInt(rid), vectorBlob(vector), ...VEC_METADATA_COLUMNS.map((c) => vecColumnValue(metadata[c])));
  }

  insertItem(p: PreparedItem): void {
    let rid: number;
    try {
      rid = Number(
        this.ctx
          .stmt("INSERT INTO items(id, memory, metadata) VALUES (?, ?, jsonb(?))")
          .run(p.id, p.memory, p.metadataJson).lastInsertRowid,
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new StorageError({
          message: `a memory with id ${p.id} already exists; nothing of this batch was written`,
          hint: "use upsertItems or updateItem to change an existing memory",
          cause: error,
        });
      }
      throw error;
    }
    this.insertKeywordRow(rid, p);
    if (p.vector) this.insertVector(rid, p.vector, p.metadata);
  }

  /** Replace text and metadata of an existing row; the vector too when given, else keep it. */
  replaceItem(rid: number, p: PreparedItem): void {
    const { ctx } = this;
    // Metadata-only changes (usage records, history) are frequent: the keyword row and the
    // vector's filter columns are rewritten only when what they index changed.
    const old = ctx.stmt("SELECT memory, json(metadata) AS metadata FROM items WHERE rid = ?").get(rid) as
      | { memory: string; metadata: string }
      | undefined;
    const oldMeta = old ? (JSON.parse(old.metadata) as Record<string, unknown>) : undefined;
    const sameKeywords =
      old !== undefined &&
      oldMeta !== undefined &&
      ftsColumns(old.memory, oldMeta).join("\u0000") === ftsColumns(p.memory, p.metadata).join("\u0000");
    const sameVecColumns =
      oldMeta !== undefined &&
      VEC_METADATA_COLUMNS.every((c) => vecColumnValue(oldMeta[c]) === vecColumnValue(p.metadata[c]));
    ctx
      .stmt("UPDATE items SET memory = ?, metadata = jsonb(?) WHERE rid = ?")
      .run(p.memory, p.metadataJson, rid);
    if (!sameKeywords) {
      ctx.stmt("DELETE FROM items_fts WHERE rowid = ?").run(BigInt(rid));
      this.insertKeywordRow(rid, p);
    }
    if (ctx.dims === undefined) return;
    if (p.vector) {
      ctx.stmt("DELETE FROM vec_items WHERE rowid = ?").run(BigInt(rid));
      this.insertVector(rid, p.vector, p.metadata);
    } else if (!sameVecColumns) {
      // The kept vector's filter columns must follow the new metadata.
      const values = VEC_METADATA_COLUMNS.map((c) => vecColumnValue(p.metadata[c]));
      if (
        oldMeta === undefined ||
        vecColumnValue(oldMeta[VEC_PARTITION_COLUMN]) !== vecColumnValue(p.metadata[VEC_PARTITION_COLUMN])
      ) {
        // sqlite-vec cannot update a partition key: the same vector is re-inserted in its new
        // partition (the vector is unchanged, so the ANN index has nothing to follow).
        const row = ctx.stmt("SELECT embedding FROM vec_items WHERE rowid = ?").get(BigInt(rid)) as
          | { embedding: Buffer }
          | undefined;
        if (!row) return;
        ctx.stmt("DELETE FROM vec_items WHERE rowid = ?").run(BigInt(rid));
        ctx.stmt(VEC_INSERT).run(BigInt(rid), row.embedding, ...values);
      } else {
        // Same partition: the other columns in place (naming the partition key at all is refused).
        const cols = VEC_METADATA_COLUMNS.filter((c) => c !== VEC_PARTITION_COLUMN);
        ctx
          .stmt(`UPDATE vec_items SET ${cols.map((c) => `${c} = ?`).join(", ")} WHERE rowid = ?`)
          .run(...cols.map((c) => vecColumnValue(p.metadata[c])), BigInt(rid));
      }
    }
  }

  /** Insert a new item, or replace the one with its id. */
  putItem(p: PreparedItem): void {
    const rid = this.ridOf(p.id);
    if (rid === undefined) this.insertItem(p);
    else this.replaceItem(rid, p);
  }

  deleteRids(rids: number[]): void {
    const { ctx } = this;
    for (const rid of rids) {
      if (ctx.dims !== undefined) {
        ctx.stmt("DELETE FROM vec_items WHERE rowid = ?").run(BigInt(rid));
        this.ann.changed({ op: "remove", rid });
      }
      ctx.stmt("DELETE FROM items_fts WHERE rowid = ?").run(BigInt(rid));
      // Edges go with the item: ON DELETE CASCADE.
      ctx.stmt("DELETE FROM items WHERE rid = ?").run(rid);
    }
  }

  /** Empty the cube but keep its dimension: the cube's embedder has not changed. */
  wipe(): number {
    const { ctx } = this;
    const n = (ctx.stmt("SELECT count(*) AS n FROM items").get() as { n: number }).n;
    ctx.db.exec("DELETE FROM edges; DELETE FROM items_fts; DELETE FROM items;");
    const dims = ctx.dims;
    if (dims !== undefined) {
      // Dropping and recreating is far faster than deleting vec0 rows one chunk at a time.
      ctx.db.exec("DROP TABLE vec_items");
      createVectorTable(ctx.db, dims);
      this.ann.changed({ op: "reset" });
    }
    return n;
  }

  /** Insert an edge, or replace its metadata when it exists. Both ends must exist (foreign keys). */
  insertEdge(e: MemoryEdge): void {
    const { source, target, type, ...rest } = e;
    this.ctx
      .stmt(
        `INSERT INTO edges(source, target, type, metadata) VALUES (?, ?, ?, ?)
       ON CONFLICT(source, target, type) DO UPDATE SET metadata = excluded.metadata`,
      )
      .run(source, target, type, JSON.stringify(rest));
  }
}
