import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PgliteServer, startPgliteServer } from "../../../test/support/pglite-server.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { runStoreConformance } from "../../testing/store-conformance.js";
import { createPostgresMemoryStore, type PostgresMemoryStore } from "./index.js";
import { SCHEMA_VERSION } from "./schema.js";

let pg: PgliteServer;
let counter = 0;
// Every store is a fresh cube in the same database: cubes are kept apart by their id.
const cubeId = () => `conformance-${process.pid}-${counter++}`;

beforeAll(async () => {
  pg = await startPgliteServer();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

runStoreConformance("postgres (PGlite over the wire protocol)", () =>
  createPostgresMemoryStore({ url: pg.url, cubeId: cubeId(), poolSize: pg.poolSize }),
);
// Every vector search goes through the cube's HNSW index (and its re-ranking and exact fallback).
runStoreConformance("postgres (PGlite, HNSW index from the first vector)", () =>
  createPostgresMemoryStore({ url: pg.url, cubeId: cubeId(), poolSize: pg.poolSize, annThreshold: 1 }),
);

// A real server (with pgvector) as well, when one is given.
const realUrl = process.env.MEMOS_TEST_PG_URL;
if (realUrl) {
  runStoreConformance("postgres (MEMOS_TEST_PG_URL)", () =>
    createPostgresMemoryStore({ url: realUrl, cubeId: cubeId() }),
  );
}

const item = (id: string, memory: string, metadata: Record<string, unknown> = {}) =>
  TextualMemoryItem.parse({ id, memory, metadata });
const vec = (...xs: number[]) => Float32Array.from(xs);

describe("PostgresMemoryStore specifics", () => {
  const open = async (id: string, extra: { annThreshold?: number } = {}) =>
    createPostgresMemoryStore({ url: pg.url, cubeId: id, poolSize: pg.poolSize, ...extra });

  it("keeps cubes in one database apart, and a cube's data across reopening", async () => {
    const a = await open(`tenant-a-${counter++}`);
    const b = await open(`tenant-b-${counter++}`);
    try {
      await a.addItems([{ item: item("same-id", "walrus in cube a"), embedding: vec(1, 0, 0) }]);
      await b.addItems([{ item: item("same-id", "narwhal in cube b"), embedding: vec(0, 1, 0, 0) }]);
      await a.addItems([{ item: item("other", "second"), embedding: vec(0, 1, 0) }]);
      await a.addEdges([{ source: "same-id", target: "other", type: "RELATE_TO" }]);
      expect(a.dimensions).toBe(3);
      expect(b.dimensions).toBe(4);
      expect((await b.getItem("same-id"))?.memory).toBe("narwhal in cube b");
      expect(await b.count()).toBe(1);
      expect(await b.keywordSearch("walrus", { k: 5 })).toEqual([]);
      expect(await b.neighbors("same-id")).toEqual([]);
      expect(await b.deleteWhere()).toBe(1);
      expect(await a.count()).toBe(2);
      const again = await open(a.cubeId);
      try {
        expect(again.dimensions).toBe(3);
        expect((await again.vectorSearch(vec(1, 0.1, 0), { k: 1 }))[0]?.id).toBe("same-id");
        expect(await again.neighbors("same-id")).toEqual(["other"]);
      } finally {
        await again.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("records the schema version and refuses a database from a newer one", async () => {
    const store = await open(`schema-${counter++}`);
    const { Pool } = (await import("pg")).default;
    const pool = new Pool({ connectionString: pg.url, max: 1 });
    try {
      // The store's pool holds the one PGlite connection: let it go first.
      await store.close();
      const { rows } = await pool.query("SELECT max(version) AS v FROM memos_schema_version");
      expect(rows[0].v).toBe(SCHEMA_VERSION);
      // v2: the capacity walk's index (a type's activated memories in updated_at order).
      const idx = await pool.query("SELECT indexname FROM pg_indexes WHERE tablename = 'memos_items'");
      const names = idx.rows.map((r) => r.indexname);
      expect(names).toContain("memos_items_type_status_updated");
      expect(names).not.toContain("memos_items_memory_type");
      await pool.query("INSERT INTO memos_schema_version (version) VALUES ($1)", [SCHEMA_VERSION + 1]);
      await pool.end();
      await expect(open(`schema-${counter++}`)).rejects.toMatchObject({
        code: "storage",
        message: expect.stringContaining(`schema version ${SCHEMA_VERSION + 1}`),
      });
    } finally {
      const cleanup = new Pool({ connectionString: pg.url, max: 1 });
      await cleanup.query("DELETE FROM memos_schema_version WHERE version > $1", [SCHEMA_VERSION]);
      await cleanup.end();
    }
  });

  it("builds the cube's HNSW index once it holds annThreshold vectors, and search stays right", async () => {
    const store: PostgresMemoryStore = await open(`ann-${counter++}`, { annThreshold: 50 });
    try {
      const batch = Array.from({ length: 49 }, (_, i) => ({
        item: item(`v${i}`, `vector ${i}`, { user_id: i % 2 ? "odd" : "even" }),
        embedding: vec(Math.cos(i / 10), Math.sin(i / 10), 0.1),
      }));
      await store.addItems(batch);
      expect(store.annIndex).toBe(false);
      await store.addItems([
        { item: item("v49", "vector 49"), embedding: vec(Math.cos(4.9), Math.sin(4.9), 0.1) },
      ]);
      expect(store.annIndex).toBe(true);
      const hits = await store.vectorSearch(vec(1, 0, 0.1), { k: 3, filter: { user_id: "odd" } });
      expect(hits.map((h) => h.id)).toEqual(["v1", "v3", "v5"]);
    } finally {
      await store.close();
    }
  });

  it("refuses text PostgreSQL cannot hold with InvalidInputError, and writes nothing", async () => {
    const store = await open(`nul-${counter++}`);
    try {
      await expect(store.addItems([{ item: item("n", "nul \u0000 inside") }])).rejects.toMatchObject({
        code: "invalid_input",
      });
      expect(await store.count()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
