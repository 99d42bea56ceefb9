import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MemosError } from "../../core/errors/index.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { runStoreConformance } from "../../testing/store-conformance.js";
import { createSqliteMemoryStore, type SqliteMemoryStore } from "./index.js";
import { SCHEMA_VERSION } from "./schema.js";

const dir = mkdtempSync(join(tmpdir(), "memos-sqlite-conformance-"));
let counter = 0;
const freshPath = () => join(dir, `cube-${process.pid}-${counter++}.db`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreConformance("sqlite (in-memory)", () => createSqliteMemoryStore({ path: ":memory:" }));
runStoreConformance("sqlite (file)", () =>
  createSqliteMemoryStore({ path: freshPath(), cubeId: "conformance" }),
);
runStoreConformance("sqlite (file, dimensions fixed up front)", () =>
  createSqliteMemoryStore({ path: freshPath(), dimensions: 8 }),
);
// Every vector search goes through the HNSW index (and its re-scoring and fallbacks).
runStoreConformance("sqlite (file, ANN from the first vector)", () =>
  createSqliteMemoryStore({ path: freshPath(), annThreshold: 1 }),
);
runStoreConformance("sqlite (in-memory, ANN from the first vector)", () =>
  createSqliteMemoryStore({ path: ":memory:", annThreshold: 1 }),
);

const item = (id: string, memory: string, metadata: Record<string, unknown> = {}) =>
  TextualMemoryItem.parse({ id, memory, metadata });
const vec = (...xs: number[]) => Float32Array.from(xs);

async function failure(p: Promise<unknown>): Promise<MemosError> {
  try {
    await p;
  } catch (error) {
    if (MemosError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("SqliteMemoryStore specifics", () => {
  const open: SqliteMemoryStore[] = [];
  const track = async (p: Promise<SqliteMemoryStore>) => {
    const s = await p;
    open.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it("persists items, vectors, edges and the dimension across reopening", async () => {
    const path = freshPath();
    const a = await createSqliteMemoryStore({ path, cubeId: "c1" });
    await a.addItems([
      { item: item("x", "persistent walrus"), embedding: vec(1, 0, 0) },
      { item: item("y", "second"), embedding: vec(0, 1, 0) },
    ]);
    await a.addEdges([{ source: "x", target: "y", type: "RELATE_TO" }]);
    await a.close();
    const b = await track(createSqliteMemoryStore({ path }));
    expect(b.cubeId).toBe("c1");
    expect(b.dimensions).toBe(3);
    expect((await b.getItem("x"))?.memory).toBe("persistent walrus");
    expect((await b.vectorSearch(vec(1, 0.1, 0), { k: 1 }))[0]?.id).toBe("x");
    expect((await b.keywordSearch("walrus", { k: 1 }))[0]?.id).toBe("x");
    expect(await b.neighbors("x")).toEqual(["y"]);
    expect(await b.checkIntegrity()).toMatchObject({
      ok: true,
      items: 2,
      vectors: 2,
      keywordRows: 2,
      edges: 1,
    });
  });

  it("drops a query word found in most memories of a large cube when a rarer one is there", async () => {
    const s = await track(createSqliteMemoryStore({ path: ":memory:" }));
    const items = Array.from({ length: 2100 }, (_, i) => ({
      item: item(`p${i}`, i < 3 ? `we visited the zoo ${i}` : `we visited the park ${i}`),
    }));
    await s.addItems(items);
    // "visiting" stems to the indexed "visit", which is in every memory: only "zoo" is searched.
    const hits = await s.keywordSearch("visiting zoo", { k: 10 });
    expect(hits.map((h) => h.id).sort()).toEqual(["p0", "p1", "p2"]);
    // Alone, the common word is still searched.
    expect(await s.keywordSearch("visiting", { k: 10 })).toHaveLength(10);
    // Counts follow writes: with no zoo left, "zoo" alone would find nothing, so nothing is dropped.
    await s.deleteItems(["p0", "p1", "p2"]);
    expect(await s.keywordSearch("visiting zoo", { k: 10 })).toHaveLength(10);
  });

  it("shares a cube file between two connections (as two processes would)", async () => {
    const path = freshPath();
    const a = await track(createSqliteMemoryStore({ path }));
    const b = await track(createSqliteMemoryStore({ path }));
    await a.addItems([{ item: item("from-a", "written by a"), embedding: vec(1, 0, 0) }]);
    // b learnt no dimension at open; it must pick up the one a fixed, not create a second table.
    expect(b.dimensions).toBe(3);
    await b.addItems([{ item: item("from-b", "written by b"), embedding: vec(0, 1, 0) }]);
    expect((await a.vectorSearch(vec(0, 1, 0), { k: 1 }))[0]?.id).toBe("from-b");
    expect((await failure(b.addItems([{ item: item("bad", "x"), embedding: vec(1, 2, 3, 4) }]))).code).toBe(
      "storage",
    );
    expect(await a.count()).toBe(2);
  });

  it("uses WAL, NORMAL sync and foreign keys, and records schema version, cube and dimension", async () => {
    const path = freshPath();
    const s = await createSqliteMemoryStore({ path, cubeId: "cube-x", dimensions: 4 });
    await s.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      const meta = Object.fromEntries(
        (db.prepare("SELECT key, value FROM meta").all() as { key: string; value: string }[]).map((r) => [
          r.key,
          r.value,
        ]),
      );
      expect(meta).toMatchObject({
        schema_version: String(SCHEMA_VERSION),
        cube_id: "cube-x",
        dimensions: "4",
      });
    } finally {
      db.close();
    }
    const again = await track(createSqliteMemoryStore({ path }));
    expect(again.dimensions).toBe(4);
  });

  it("refuses a file of another cube, a different fixed dimension, a newer schema and a non-database", async () => {
    const path = freshPath();
    await (await createSqliteMemoryStore({ path, cubeId: "one", dimensions: 3 })).close();
    expect((await failure(createSqliteMemoryStore({ path, cubeId: "two" }))).code).toBe("storage");
    const dim = await failure(createSqliteMemoryStore({ path, dimensions: 5 }));
    expect(dim.code).toBe("storage");
    expect(dim.hint).toMatch(/re-embed/);

    const db = new Database(path);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    expect((await failure(createSqliteMemoryStore({ path }))).hint).toMatch(/upgrade/);

    const junk = freshPath();
    writeFileSync(
      junk,
      "this is not a database, just some text that is long enough to have a header".repeat(20),
    );
    const err = await failure(createSqliteMemoryStore({ path: junk }));
    expect(err.code).toBe("storage");
    expect(err.hint).toMatch(/not a memos-ts cube|SQLite/);
  });

  it("validates its options", async () => {
    expect((await failure(createSqliteMemoryStore({ path: "" }))).code).toBe("invalid_input");
    expect((await failure(createSqliteMemoryStore({ path: ":memory:", dimensions: 0 }))).code).toBe(
      "invalid_input",
    );
    expect((await failure(createSqliteMemoryStore({ path: ":memory:", dimensions: 2.5 }))).code).toBe(
      "invalid_input",
    );
  });

  it("rolls a nested transaction back to its savepoint when its error is caught", async () => {
    const s = await track(createSqliteMemoryStore({ path: ":memory:" }));
    await s.transaction(async (tx) => {
      await tx.addItems([{ item: item("outer", "outer") }]);
      await tx
        .transaction(async (inner) => {
          await inner.addItems([{ item: item("inner", "inner") }]);
          throw new Error("inner fails");
        })
        .catch(() => undefined);
      await tx.addItems([{ item: item("after", "after") }]);
    });
    expect((await s.listItems()).map((x) => x.id).sort()).toEqual(["after", "outer"]);
  });

  it("makes other callers wait for an open transaction, and lets calls inside it run", async () => {
    const s = await track(createSqliteMemoryStore({ path: ":memory:" }));
    const order: string[] = [];
    let inside!: () => void;
    const started = new Promise<void>((r) => {
      inside = r;
    });
    const tx = s.transaction(async (t) => {
      await t.addItems([{ item: item("a", "a") }]);
      inside();
      await new Promise((r) => setTimeout(r, 30));
      // The store itself, called from inside fn, joins the transaction instead of deadlocking.
      order.push(`inside sees ${await s.count()}`);
      await s.addItems([{ item: item("b", "b") }]);
      order.push("commit");
    });
    await started;
    const outside = s.count().then((n) => order.push(`outside sees ${n}`));
    await Promise.all([tx, outside]);
    expect(order).toEqual(["inside sees 1", "commit", "outside sees 2"]);
  });

  it("rejects use of a finished transaction handle and of a closed store", async () => {
    const s = await createSqliteMemoryStore({ path: ":memory:" });
    let leaked: Parameters<Parameters<typeof s.transaction>[0]>[0] | undefined;
    await s.transaction(async (tx) => {
      leaked = tx;
    });
    expect((await failure(leaked?.count() ?? Promise.resolve())).message).toMatch(/finished/);
    await s.close();
    expect(s.closed).toBe(true);
    expect((await failure(s.count())).code).toBe("storage");
    await s.close(); // idempotent
  });

  it("settles calls that fn started but did not await", async () => {
    const s = await track(createSqliteMemoryStore({ path: ":memory:" }));
    const stragglers: Promise<unknown>[] = [];
    await s.transaction(async (tx) => {
      await tx.addItems([{ item: item("a", "a") }]);
      stragglers.push(tx.count());
      // Calls landing at every microtask step around the end of fn, including the moment the
      // transaction is closing.
      for (let hops = 0; hops < 12; hops++) {
        stragglers.push(
          (async () => {
            for (let i = 0; i < hops; i++) await Promise.resolve();
            return tx.count();
          })(),
        );
      }
    });
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("a call hung")), 2000));
    const settled = await Promise.race([Promise.allSettled(stragglers), timeout]);
    expect((settled as PromiseSettledResult<unknown>[])[0]).toEqual({ status: "fulfilled", value: 1 });
    expect(await s.count()).toBe(1);
  });

  it("serves k beyond sqlite-vec's KNN limit by an exact scan", async () => {
    const s = await track(createSqliteMemoryStore({ path: ":memory:" }));
    const n = 4200;
    const items = Array.from({ length: n }, (_, i) => ({
      item: item(`i${i}`, `m ${i}`, { user_id: i % 2 ? "odd" : "even" }),
      embedding: vec(Math.cos(i / 1000), Math.sin(i / 1000)),
    }));
    await s.addItems(items);
    const all = await s.vectorSearch(vec(1, 0), { k: 5000 });
    expect(all).toHaveLength(n);
    expect(all.slice(0, 3).map((h) => h.id)).toEqual(["i0", "i1", "i2"]);
    const even = await s.vectorSearch(vec(1, 0), { k: 4097, filter: { user_id: "even" } });
    expect(even).toHaveLength(n / 2);
    expect(even[1]?.id).toBe("i2");
  });

  it("ranks exactly among many filtered rows when the nearest candidates fail the filter", async () => {
    const s = await track(createSqliteMemoryStore({ path: ":memory:" }));
    const n = 5000;
    const angle = (i: number) => (i % 2 ? Math.PI - i / n : i / n); // odd ids far, even ids near
    await s.addItems(
      Array.from({ length: n }, (_, i) => ({
        item: item(`i${i}`, `m ${i}`, { tags: [i % 2 ? "far" : "near"] }),
        embedding: vec(Math.cos(angle(i)), Math.sin(angle(i))),
      })),
    );
    const q = vec(1, 0);
    const expected = Array.from({ length: n }, (_, i) => i)
      .filter((i) => i % 2)
      .sort((a, b) => Math.cos(angle(b)) - Math.cos(angle(a)))
      .slice(0, 10)
      .map((i) => `i${i}`);
    const hits = await s.vectorSearch(q, { k: 10, filter: { tags: { contains: "far" } } });
    expect(hits.map((h) => h.id)).toEqual(expected);
    const few = await s.vectorSearch(q, {
      k: 3,
      filter: { tags: { contains: "far" }, memory: { contains: "m 49" } },
    });
    expect(few.map((h) => h.id)).toEqual(["i4999", "i4997", "i4995"]);
  });

  it("never matches a stored zero vector; rejects a zero or non-finite query", async () => {
    const s = await track(createSqliteMemoryStore({ path: ":memory:" }));
    await s.addItems([
      { item: item("zero", "zero"), embedding: vec(0, 0) },
      { item: item("away", "away"), embedding: vec(-1, 0) },
      { item: item("near", "near"), embedding: vec(1, 0) },
    ]);
    expect((await s.vectorSearch(vec(1, 0.1), { k: 3 })).map((h) => h.id)).toEqual(["near", "away"]);
    expect((await s.vectorSearch(vec(1, 0.1), { k: 5000 })).map((h) => h.id)).toEqual(["near", "away"]);
    expect(
      (await s.vectorSearch(vec(1, 0.1), { k: 3, filter: { memory: { ne: "x" } } })).map((h) => h.id),
    ).toEqual(["near", "away"]);
    expect(await s.getEmbedding("zero")).toEqual(vec(0, 0));
    expect((await failure(s.vectorSearch(vec(0, 0), { k: 1 }))).code).toBe("invalid_input");
    expect((await failure(s.vectorSearch(vec(Number.NaN, 1), { k: 1 }))).code).toBe("invalid_input");
    expect(
      (await failure(s.addItems([{ item: item("nan", "nan"), embedding: vec(1, Number.POSITIVE_INFINITY) }])))
        .code,
    ).toBe("invalid_input");
  });

  it("stems English words and folds diacritics in keyword search", async () => {
    const s = await track(createSqliteMemoryStore({ path: ":memory:" }));
    await s.addItems([
      { item: item("run", "She was running marathons") },
      { item: item("cafe", "Meet at the Café Noir") },
    ]);
    expect((await s.keywordSearch("runs", { k: 5 })).map((h) => h.id)).toEqual(["run"]);
    expect((await s.keywordSearch("cafe", { k: 5 })).map((h) => h.id)).toEqual(["cafe"]);
  });

  it("reports orphans in checkIntegrity", async () => {
    const path = freshPath();
    const s = await createSqliteMemoryStore({ path });
    await s.addItems([{ item: item("a", "alpha"), embedding: vec(1, 0) }]);
    await s.close();
    const db = new Database(path);
    db.prepare("DELETE FROM items_fts").run();
    db.close();
    const again = await track(createSqliteMemoryStore({ path }));
    const report = await again.checkIntegrity();
    expect(report.ok).toBe(false);
    expect(report.problems.join("\n")).toMatch(/no keyword row/);
  });
});

describe("SqliteMemoryStore keyword search in a large cube (conjunctive-first)", () => {
  it("ranks memories holding every query term first, and falls back to any term when fewer than k do", async () => {
    const store = await createSqliteMemoryStore({ path: ":memory:" });
    try {
      // 16 words, each in about 12% of the memories: under the 20% at which terms are dropped.
      const words = [
        "river",
        "garden",
        "violin",
        "market",
        "harbour",
        "library",
        "bakery",
        "tram",
        "castle",
        "forest",
        "museum",
        "bridge",
        "canal",
        "stadium",
        "orchard",
        "lighthouse",
      ];
      const items = Array.from({ length: 2500 }, (_, i) => ({
        item: TextualMemoryItem.parse({
          id: `m${i}`,
          memory: `note ${i} about the ${words[i % 16]} and the ${words[(i * 3 + 1) % 16]}`,
          metadata: {},
        }),
      }));
      items.push({
        item: TextualMemoryItem.parse({ id: "rare-word", memory: "a zither near the quarry", metadata: {} }),
      });
      await store.addItems(items);
      const hits = await store.keywordSearch("river garden", { k: 10 });
      expect(hits).toHaveLength(10);
      const texts = (await store.getItems(hits.map((h) => h.id))).map((i) => i.memory);
      expect(texts.every((t) => t.includes("river") && t.includes("garden"))).toBe(true);
      // No memory holds both words: any-term matching ranks the one rare-word memory first.
      const rare = await store.keywordSearch("zither violin", { k: 5 });
      expect(rare[0]?.id).toBe("rare-word");
      expect(rare).toHaveLength(5);
    } finally {
      await store.close();
    }
  });
});
