import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { createSqliteMemoryStore, type SqliteMemoryStore } from "./index.js";
import { SCHEMA_VERSION } from "./schema.js";
import { vecColumnValue } from "./vec-columns.js";

const dir = mkdtempSync(join(tmpdir(), "memos-sqlite-schema-"));
let counter = 0;
const freshPath = () => join(dir, `cube-${process.pid}-${counter++}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SQLite schema: migrations and the vector table's layout", () => {
  // Stores opened by a test, closed after it even when an assertion failed.
  const opened: SqliteMemoryStore[] = [];
  const open = async (path: string) => {
    const s = await createSqliteMemoryStore({ path });
    opened.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it("upgrades a version-2 file in place: memories kept, the type count indexed, long vector filter values digested", async () => {
    const path = freshPath();
    const user = "3f2c9a7e-5b1d-4e8a-9c0f-2d6b8e4a1c33"; // a UUID: longer than vec0 keeps inline
    const unit = (i: number) => Float32Array.from({ length: 4 }, (_, j) => (j === i % 4 ? 1 : 0.1));
    const s = await createSqliteMemoryStore({ path });
    await s.addItems([
      {
        item: TextualMemoryItem.parse({
          id: "a",
          memory: "alpha",
          metadata: { memory_type: "LongTermMemory", user_id: user },
        }),
        embedding: unit(0),
      },
      {
        item: TextualMemoryItem.parse({ id: "b", memory: "beta", metadata: { memory_type: "UserMemory" } }),
        embedding: unit(0),
      },
      ...Array.from({ length: 300 }, (_, i) => ({
        item: TextualMemoryItem.parse({
          id: `w${i}`,
          memory: `note ${i}`,
          metadata: { memory_type: "WorkingMemory", user_id: user },
        }),
        embedding: unit(i),
      })),
    ]);
    await s.close();
    // Put the file back to version 2's layout: old indexes, full text in the vec0 columns.
    const raw = new Database(path);
    sqliteVec.load(raw);
    raw.exec(`DROP INDEX items_type_status_updated;
      CREATE INDEX items_memory_type ON items(memory_type);
      CREATE INDEX items_created_at ON items(created_at);
      CREATE INDEX items_updated_at ON items(updated_at);
      CREATE TEMP TABLE c AS SELECT rowid AS rid, embedding, status FROM vec_items;
      DROP TABLE vec_items;
      CREATE VIRTUAL TABLE vec_items USING vec0(embedding float[4] distance_metric=cosine,
        status text, memory_type text, user_id text);
      INSERT INTO vec_items(rowid, embedding, status, memory_type, user_id)
        SELECT c.rid, c.embedding, c.status, i.memory_type, coalesce(i.user_id, '') FROM c JOIN items i ON i.rid = c.rid;
      UPDATE meta SET value = '2' WHERE key = 'schema_version';`);
    expect(raw.prepare("SELECT count(*) AS n FROM vec_items WHERE user_id = ?").get(user)).toEqual({
      n: 301,
    });
    raw.close();

    const again = await open(path);
    expect(await again.count({ memory_type: "LongTermMemory", status: "activated" })).toBe(1);
    expect((await again.getItem("b"))?.memory).toBe("beta");
    const hits = await again.vectorSearch(unit(0), {
      k: 3,
      filter: { memory_type: "LongTermMemory", user_id: user },
    });
    expect(hits.map((h) => h.id)).toEqual(["a"]);
    const working = await again.vectorSearch(unit(1), {
      k: 5,
      filter: { user_id: user, memory_type: "WorkingMemory" },
    });
    expect(working).toHaveLength(5);
    expect(working.every((h) => h.id.startsWith("w"))).toBe(true);
    await again.close();
    const db = new Database(path, { readonly: true });
    try {
      const indexes = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items'").all() as {
          name: string;
        }[]
      ).map((r) => r.name);
      expect(indexes).toContain("items_type_status_updated");
      expect(indexes).not.toContain("items_type_status");
      expect(indexes).not.toContain("items_memory_type");
      expect(indexes).not.toContain("items_created_at");
      const vecDdl = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'vec_items'").get() as {
        sql: string;
      };
      expect(vecDdl.sql).toContain("status text partition key");
      const plan = db
        .prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM items WHERE memory_type = ? AND status = ?")
        .all("LongTermMemory", "activated") as { detail: string }[];
      expect(plan.map((p) => p.detail).join(" ")).toContain("items_type_status_updated");
      // The tree's eviction reads a type's oldest memories in index order, with no sort.
      const oldest = db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT id FROM items WHERE memory_type = ? AND status = ? ORDER BY updated_at, id LIMIT 64",
        )
        .all("LongTermMemory", "activated") as { detail: string }[];
      expect(oldest.map((p) => p.detail).join(" ")).not.toContain("TEMP B-TREE");
      expect(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({
        value: String(SCHEMA_VERSION),
      });
    } finally {
      db.close();
    }
    // The KNN's own filter (what sqlite-vec scans with) finds the upgraded rows; a mismatch would
    // only show as a silent fall back to the slower exact path.
    const vec = new Database(path, { readonly: true });
    sqliteVec.load(vec);
    try {
      const knn = vec.prepare(
        "SELECT count(*) AS n FROM vec_items WHERE embedding MATCH ? AND k = 400 AND user_id = ? AND memory_type = ?",
      );
      expect(
        knn.get(Buffer.from(unit(0).buffer), vecColumnValue(user), vecColumnValue("WorkingMemory")),
      ).toEqual({
        n: 300,
      });
    } finally {
      vec.close();
    }
  });

  it("moves a vector between status partitions when only the status changes, and updates the other filter columns", async () => {
    const s = await open(freshPath());
    const v = Float32Array.from([1, 0.2, 0, 0]);
    await s.addItems([
      {
        item: TextualMemoryItem.parse({ id: "x", memory: "x", metadata: { memory_type: "LongTermMemory" } }),
        embedding: v,
      },
      {
        item: TextualMemoryItem.parse({ id: "y", memory: "y", metadata: {} }),
        embedding: Float32Array.from([0, 1, 0, 0]),
      },
    ]);
    const x = (await s.getItem("x")) as TextualMemoryItem;
    await s.updateItem("x", { ...x, metadata: { ...x.metadata, status: "archived" } });
    expect((await s.vectorSearch(v, { k: 1, filter: { status: "activated" } })).map((h) => h.id)).toEqual([
      "y",
    ]);
    const archived = await s.vectorSearch(v, { k: 1, filter: { status: "archived" } });
    expect(archived.map((h) => h.id)).toEqual(["x"]);
    expect(archived[0]?.score).toBeCloseTo(1, 5);
    expect(await s.getEmbedding("x")).toEqual(v);
    const y = (await s.getItem("y")) as TextualMemoryItem;
    await s.updateItem("y", { ...y, metadata: { ...y.metadata, memory_type: "UserMemory" } });
    expect(
      (await s.vectorSearch(v, { k: 2, filter: { memory_type: "UserMemory" } })).map((h) => h.id),
    ).toEqual(["y"]);
    expect(
      await s.vectorSearch(v, { k: 2, filter: { memory_type: "LongTermMemory", status: "activated" } }),
    ).toEqual([]);
  });
});
