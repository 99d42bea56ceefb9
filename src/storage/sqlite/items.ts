import { InvalidInputError, NotFoundError } from "../../core/errors/index.js";
import type { ListOptions, StoredItem } from "../../core/interfaces/store.js";
import type { FilterNode, MemoryFilter } from "../../core/schema/filter.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { resolveFilter } from "../shared/resolve-filter.js";
import { assertDistinctIds, listParams } from "../shared/store-input.js";
import { assertId, assertIds, type PreparedItem, prepareBatch, prepareItem } from "../shared/validate.js";
import type { SqliteContext } from "./context.js";
import { filterWhere } from "./filter-sql.js";
import type { ItemRows } from "./item-rows.js";
import { type ItemRow, toItem } from "./rows.js";
import { blobToVector } from "./vectors.js";

type Filter = MemoryFilter | FilterNode | undefined;

/** The item half of MemoryStore on SQLite: add, upsert, update, get, delete, list and count. */
export class SqliteItems {
  constructor(
    private readonly ctx: SqliteContext,
    private readonly rows: ItemRows,
  ) {}

  private checkBatchDimensions(prepared: PreparedItem[]): void {
    for (const p of prepared) if (p.vector) this.ctx.ensureDimensions(p.vector.length);
  }

  addItems(items: StoredItem[]): void {
    const prepared = prepareBatch(items, "addItems");
    if (prepared.length === 0) return;
    assertDistinctIds(prepared.map((p) => p.id));
    this.ctx.write(() => {
      this.checkBatchDimensions(prepared);
      for (const p of prepared) this.rows.insertItem(p);
    });
  }

  upsertItems(items: StoredItem[]): void {
    const prepared = prepareBatch(items, "upsertItems");
    if (prepared.length === 0) return;
    this.ctx.write(() => {
      this.checkBatchDimensions(prepared);
      for (const p of prepared) this.rows.putItem(p);
    });
  }

  updateItem(id: string, item: TextualMemoryItem, embedding?: Float32Array): void {
    assertId(id, "updateItem id");
    const p = prepareItem({ item, ...(embedding === undefined ? {} : { embedding }) }, "item");
    if (p.id !== id) {
      throw new InvalidInputError({
        message: `updateItem(${id}) was given an item with id ${p.id}`,
        hint: "an update keeps the id; to re-key a memory, add the new one and delete the old",
      });
    }
    this.ctx.write(() => {
      const rid = this.rows.ridOf(id);
      if (rid === undefined) {
        throw new NotFoundError({ message: `memory ${id} not found`, hint: "use addItems to create it" });
      }
      if (p.vector) this.ctx.ensureDimensions(p.vector.length);
      this.rows.replaceItem(rid, p);
    });
  }

  getItem(id: string): TextualMemoryItem | null {
    assertId(id, "getItem id");
    const row = this.ctx
      .stmt("SELECT rid, id, memory, json(metadata) AS metadata FROM items WHERE id = ?")
      .get(id) as ItemRow | undefined;
    return row ? toItem(row) : null;
  }

  getItems(ids: string[]): TextualMemoryItem[] {
    assertIds(ids, "getItems");
    if (ids.length === 0) return [];
    const rows = this.ctx
      .stmt(
        "SELECT rid, id, memory, json(metadata) AS metadata FROM items WHERE id IN (SELECT value FROM json_each(?))",
      )
      .all(JSON.stringify(ids)) as ItemRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out: TextualMemoryItem[] = [];
    for (const id of new Set(ids)) {
      const row = byId.get(id);
      if (row) out.push(toItem(row));
    }
    return out;
  }

  getEmbedding(id: string): Float32Array | null {
    assertId(id, "getEmbedding id");
    if (this.ctx.dims === undefined) return null;
    const rid = this.rows.ridOf(id);
    if (rid === undefined) return null;
    const row = this.ctx.stmt("SELECT embedding FROM vec_items WHERE rowid = ?").get(BigInt(rid)) as
      | { embedding: Buffer }
      | undefined;
    return row ? blobToVector(row.embedding) : null;
  }

  deleteItems(ids: string[]): number {
    assertIds(ids, "deleteItems");
    if (ids.length === 0) return 0;
    return this.ctx.write(() => {
      const rids = (
        this.ctx
          .stmt("SELECT rid FROM items WHERE id IN (SELECT value FROM json_each(?))")
          .all(JSON.stringify(ids)) as { rid: number }[]
      ).map((r) => r.rid);
      this.rows.deleteRids(rids);
      return rids.length;
    });
  }

  deleteWhere(filter?: Filter): number {
    const node = resolveFilter(filter);
    return this.ctx.write(() => {
      if (!node) return this.rows.wipe();
      const w = filterWhere(node);
      const rids = (
        this.ctx.stmt(`SELECT i.rid FROM items i WHERE ${w.sql}`).all(...w.params) as { rid: number }[]
      ).map((r) => r.rid);
      this.rows.deleteRids(rids);
      return rids.length;
    });
  }

  listItems(options: ListOptions = {}): TextualMemoryItem[] {
    const { limit, offset, orderBy, order } = listParams(options);
    const w = filterWhere(resolveFilter(options.filter));
    const dir = order === "asc" ? "ASC" : "DESC";
    const rows = this.ctx
      .stmt(
        `SELECT i.rid, i.id, i.memory, json(i.metadata) AS metadata FROM items i WHERE ${w.sql}
       ORDER BY i.${orderBy} ${dir}, i.id ${dir} LIMIT ? OFFSET ?`,
      )
      .all(...w.params, limit ?? -1, offset) as ItemRow[];
    return rows.map(toItem);
  }

  count(filter?: Filter): number {
    const w = filterWhere(resolveFilter(filter));
    return (
      this.ctx.stmt(`SELECT count(*) AS n FROM items i WHERE ${w.sql}`).get(...w.params) as { n: number }
    ).n;
  }
}
