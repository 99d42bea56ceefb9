import { describe, expect, it } from "vitest";
import { errorMessage, StorageError } from "../../core/errors/index.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { rejection } from "../../testing/store-conformance/helpers.js";
import { createNeo4jMemoryStore } from "./create.js";
import { ScriptedConnection } from "./test-helpers.js";

const item = (id: string, metadata: Record<string, unknown> = {}) =>
  TextualMemoryItem.parse({ id, memory: `memory ${id}`, metadata });

/** A plain Error from the scripted connection, as the real one would have mapped it. */
const wrap = (e: unknown) => new StorageError({ message: errorMessage(e) });

const open = (conn: ScriptedConnection, options: Record<string, unknown> = {}) =>
  createNeo4jMemoryStore({ uri: "bolt://unused", connection: conn, cubeId: "cube-1", ...options });

describe("Neo4j store: server, edition and database", () => {
  it("shares one database on Community, creating constraints and indexes idempotently", async () => {
    const conn = new ScriptedConnection({ edition: "community" });
    const store = await open(conn);
    expect(conn.events).toContain("use neo4j");
    const schema = conn.seen.filter((q) => q.via === "schema").map((q) => q.text);
    expect(schema.every((t) => t.includes("IF NOT EXISTS"))).toBe(true);
    expect(schema.some((t) => t.startsWith("CREATE FULLTEXT INDEX memos_memory_text"))).toBe(true);
    expect(conn.seen.some((q) => /CREATE DATABASE/.test(q.text))).toBe(false);
    await store.close();
  });

  it("refuses a database per cube on Community with a ConfigError and a hint, never sending CREATE DATABASE", async () => {
    const conn = new ScriptedConnection({ edition: "community" });
    const err = await rejection(open(conn, { database: "cube1db", databasePerCube: true, autoCreate: true }));
    expect(err.code).toBe("config");
    expect(err.hint).toMatch(/use_multi_db: false/);
    const missing = await rejection(open(new ScriptedConnection(), { database: "other", autoCreate: true }));
    expect(missing.code).toBe("config");
    for (const c of [conn]) expect(c.seen.some((q) => /CREATE DATABASE/.test(q.text))).toBe(false);
    expect(conn.events).toContain("close");
  });

  it("creates the cube's database on Enterprise when asked, its name a parameter", async () => {
    const conn = new ScriptedConnection({ edition: "enterprise" });
    const store = await open(conn, { database: "alice-db", databasePerCube: true, autoCreate: true });
    const create = conn.seen.find((q) => /CREATE DATABASE/.test(q.text));
    expect(create).toMatchObject({
      via: "system",
      text: "CREATE DATABASE $name IF NOT EXISTS WAIT",
      params: { name: "alice-db" },
    });
    expect(conn.events).toContain("use alice-db");
    await store.close();
  });

  it("opens when the server refuses the optional uniqueness constraint, not when it refuses an index", async () => {
    const refuse = (what: RegExp) =>
      new ScriptedConnection().on(what, () => {
        throw new Error("Unsupported administration command");
      });
    const store = await open(refuse(/CREATE CONSTRAINT memos_memory_key/));
    await store.close();
    expect(
      (await rejection(open(refuse(/CREATE FULLTEXT INDEX/)).catch((e) => Promise.reject(wrap(e))))).message,
    ).toMatch(/Unsupported/);
  });

  it("refuses servers older than 5.18 (no vector index syntax)", async () => {
    const err = await rejection(open(new ScriptedConnection({ version: "5.11.0" })));
    expect(err.code).toBe("config");
    expect(err.hint).toMatch(/5\.18/);
    await open(new ScriptedConnection({ version: "2025.06.0" }));
  });
});

describe("Neo4j store: writes", () => {
  it("writes flattened properties and the vector as parameters; the first vector fixes the dimension and its index", async () => {
    const conn = new ScriptedConnection();
    conn.on(/RETURN count\(n\) AS stored/, (q) => [{ stored: (q.params.ids as string[]).length }]);
    const store = await open(conn);
    await store.addItems([
      {
        item: item("a", { nested: { x: [1, null] }, tags: ["t"] }),
        embedding: new Float32Array([0.5, 0.25, 1]),
      },
    ]);
    const writes = conn.seen
      .filter((q) => q.via === "write")
      .map((q) => q.text.split(" ").slice(0, 3).join(" "));
    expect(writes).toEqual([
      "MERGE (c:MemosCube {id:", // open: the cube's node
      "MATCH (n:MemosMemory) WHERE", // ids already there?
      "MERGE (c:MemosCube {id:", // the first vector fixes the dimension
      "UNWIND $rows AS",
      "MATCH (n:MemosMemory) WHERE", // the vectors are there
    ]);
    const create = conn.seen.find((q) => q.text.includes("CREATE (n:MemosMemory)"));
    const rows = create?.params.rows as { props: Record<string, unknown>; vector: number[] }[];
    expect(rows[0]?.vector).toEqual([0.5, 0.25, 1]);
    expect(rows[0]?.props.nested).toBe('{"x":[1,null]}');
    expect(
      Object.values(rows[0]?.props ?? {}).some(
        (v) => typeof v === "object" && v !== null && !Array.isArray(v),
      ),
    ).toBe(false);
    expect(conn.events.at(-1)).toBe("commit");
    const index = conn.seen.find((q) => q.text.startsWith("CREATE VECTOR INDEX"));
    expect(index?.via).toBe("schema");
    expect(index?.text).toContain("`vector.dimensions`: 3");
    expect(store.dimensions).toBe(3);
  });

  it("acknowledges a write only when Neo4j holds every vector it wrote; else rolls it back", async () => {
    const conn = new ScriptedConnection();
    conn.on(/RETURN count\(n\) AS stored/, () => [{ stored: 1 }]);
    const store = await open(conn);
    const err = await rejection(
      store.addItems([
        { item: item("a"), embedding: new Float32Array([1, 0]) },
        { item: item("b"), embedding: new Float32Array([0, 1]) },
      ]),
    );
    expect(err.code).toBe("storage");
    expect(err.message).toMatch(/stored 1 of 2 vectors/);
    expect(conn.events.at(-1)).toBe("rollback");
    expect(store.dimensions).toBeUndefined(); // the dimension rolled back with the write
  });

  it("rejects an id the cube holds, or one the batch repeats, before writing", async () => {
    const conn = new ScriptedConnection();
    conn.on(/n\.id IN \$ids RETURN n\.id AS id/, () => [{ id: "a" }]);
    const store = await open(conn);
    expect((await rejection(store.addItems([{ item: item("a") }]))).code).toBe("storage");
    expect((await rejection(store.addItems([{ item: item("x") }, { item: item("x") }]))).code).toBe(
      "storage",
    );
    expect(conn.seen.some((q) => q.text.includes("CREATE (n:MemosMemory)"))).toBe(false);
  });

  it("a transaction commits once at the end, or rolls back when its function throws", async () => {
    const conn = new ScriptedConnection();
    const store = await open(conn);
    await store.transaction(async (tx) => {
      await tx.addItems([{ item: item("a") }]);
      await tx.transaction(async (inner) => inner.upsertItems([{ item: item("b") }]));
    });
    expect(conn.events.slice(-2)).toEqual(["begin", "commit"]);
    expect(conn.seen.filter((q) => q.via === "tx").length).toBeGreaterThan(0);
    await expect(
      store.transaction(async (tx) => {
        await tx.addItems([{ item: item("c") }]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(conn.events.slice(-2)).toEqual(["begin", "rollback"]);
  });
});

describe("Neo4j store: reads and searches", () => {
  it("searches exactly, re-scoring in float64, when the vector index cannot serve", async () => {
    const conn = new ScriptedConnection();
    conn.on(/MERGE \(c:MemosCube \{id: \$cube\}\) RETURN/, () => [{ dimensions: 2 }]);
    conn.on(/SHOW INDEXES/, () => [{ options: { indexConfig: { "vector.dimensions": 768 } } }]); // another cube's
    conn.on(/vector\.similarity\.cosine/, () => [
      { id: "far", embedding: [0, 1] },
      { id: "near", embedding: [1, 0.1] },
    ]);
    const store = await open(conn);
    const hits = await store.vectorSearch(new Float32Array([1, 0]), { k: 1, filter: { user_id: "u1" } });
    expect(hits.map((h) => h.id)).toEqual(["near"]);
    expect(hits[0]?.score).toBeCloseTo(1 / Math.sqrt(1.01), 12);
    const exact = conn.seen.find((q) => /vector\.similarity\.cosine/.test(q.text));
    expect(exact?.params).toMatchObject({ p0: [1, 0], p1: "cube-1", p2: "user_id", p3: "u1", p4: 17 });
    expect(conn.seen.some((q) => /queryNodes/.test(q.text))).toBe(false);
  });

  it("serves from the vector index when its candidates fill k, and searches exactly when the index fails", async () => {
    const conn = new ScriptedConnection();
    conn.on(/MERGE \(c:MemosCube \{id: \$cube\}\) RETURN/, () => [{ dimensions: 2 }]);
    conn.on(/queryNodes/, () => [
      {
        seen: 100,
        rows: [
          { id: "b", embedding: [0.6, 0.8] },
          { id: "a", embedding: [1, 0] },
        ],
      },
    ]);
    conn.on(/vector\.similarity\.cosine/, () => [{ id: "exact", embedding: [1, 0] }]);
    const store = await open(conn);
    const hits = await store.vectorSearch(new Float32Array([1, 0]), { k: 2 });
    expect(hits.map((h) => h.id)).toEqual(["a", "b"]); // re-ranked by exact cosine
    expect(hits[1]?.score).toBeCloseTo(0.6, 12);
    expect(conn.seen.find((q) => /queryNodes/.test(q.text))?.params.p1).toBe(100); // max(8 x 2, 100)
    conn.on(/queryNodes/, () => {
      throw new Error("index memos_memory_embedding is not online");
    });
    expect((await store.vectorSearch(new Float32Array([1, 0]), { k: 2 })).map((h) => h.id)).toEqual([
      "exact",
    ]);
  });

  it("keyword search sends quoted terms, never the user's Lucene syntax", async () => {
    const conn = new ScriptedConnection();
    conn.on(/fulltext\.queryNodes/, () => [{ seen: 1, rows: [{ id: "tea", score: 1.5 }] }]);
    const store = await open(conn);
    expect(await store.keywordSearch('tea* OR title:"x" AND -coffee~2', { k: 5 })).toEqual([
      { id: "tea", score: 1.5 },
    ]);
    const q = conn.seen.find((s) => /fulltext/.test(s.text));
    expect(q?.params.p1).toBe('"tea" OR "title" OR "x" OR "coffee" OR "2"');
    expect(await store.keywordSearch("!!! ...", { k: 5 })).toEqual([]);
  });

  it("validates input before any query", async () => {
    const conn = new ScriptedConnection();
    const store = await open(conn);
    const before = conn.seen.length;
    expect((await rejection(store.vectorSearch(new Float32Array([1]), { k: 0 }))).code).toBe("invalid_input");
    expect((await rejection(store.listItems({ filter: { "bad field": 1 } as never }))).code).toBe(
      "invalid_input",
    );
    expect(
      (await rejection(store.addEdges([{ source: "a", target: "b", type: "NOPE" } as never]))).code,
    ).toBe("invalid_input");
    expect(conn.seen.length).toBe(before);
  });
});
