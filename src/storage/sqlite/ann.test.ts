import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { ScoredId } from "../../core/interfaces/store.js";
import { cosine } from "../../core/math/vector.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { annPaths } from "./ann.js";
import { createSqliteMemoryStore, type SqliteMemoryStore } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "memos-ann-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIM = 16;
const N = 5000;

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(1);
const vector = () => Float32Array.from({ length: DIM }, () => r() * 2 - 1);
const item = (i: number) =>
  TextualMemoryItem.parse({ id: `m${i}`, memory: `memory ${i}`, metadata: { user_id: i % 3 ? "a" : "b" } });

async function fill(path: string, from: number, to: number, store?: SqliteMemoryStore): Promise<void> {
  const s = store ?? (await createSqliteMemoryStore({ path, annThreshold: Number.POSITIVE_INFINITY }));
  for (let i = from; i < to; i += 1000) {
    await s.addItems(
      Array.from({ length: Math.min(1000, to - i) }, (_, j) => ({ item: item(i + j), embedding: vector() })),
    );
  }
  if (!store) await s.close();
}

/** Least share of exact top-10 hits the HNSW path must find (it measures about 0.999 here). */
const MIN_RECALL = 0.97;

/**
 * The same searches on the ANN store and on an exact connection to the same file. HNSW may miss
 * a true neighbour now and then, so ids are compared as recall; every hit it returns must carry
 * the exact cosine score, and the ranking among the hits both found must agree.
 */
async function expectCloseToExact(ann: SqliteMemoryStore, queries: Float32Array[]): Promise<ScoredId[][]> {
  const exact = await createSqliteMemoryStore({ path: ann.path, annThreshold: Number.POSITIVE_INFINITY });
  const results: ScoredId[][] = [];
  let found = 0;
  let total = 0;
  try {
    for (const q of queries) {
      for (const filter of [undefined, { user_id: "b" }]) {
        const got = await ann.vectorSearch(q, { k: 10, filter });
        const want = await exact.vectorSearch(q, { k: 10, filter });
        results.push(got);
        expect(got).toHaveLength(want.length);
        const wantIds = new Set(want.map((h) => h.id));
        found += got.filter((h) => wantIds.has(h.id)).length;
        total += want.length;
        for (const h of got) {
          const v = (await exact.getEmbedding(h.id)) as Float32Array;
          expect(h.score).toBeCloseTo(cosine(q, v), 5);
        }
        const common = got.filter((h) => wantIds.has(h.id)).map((h) => h.id);
        expect(common).toEqual(want.map((h) => h.id).filter((id) => common.includes(id)));
      }
    }
  } finally {
    await exact.close();
  }
  expect(found / total).toBeGreaterThanOrEqual(MIN_RECALL);
  return results;
}

describe("HNSW index beside the cube", () => {
  const queries = Array.from({ length: 20 }, vector);

  it("is built on the first search, saved, reloaded after a restart, and agrees with exact search", async () => {
    const path = join(dir, "a.db");
    await fill(path, 0, N);
    const a = await createSqliteMemoryStore({ path, annThreshold: 1000 });
    // The first search starts a background build and answers exactly meanwhile.
    await a.vectorSearch(queries[0] as Float32Array, { k: 10 });
    expect((await a.annStatus()).building).toBe(true);
    await a.annSettled();
    const before = await expectCloseToExact(a, queries);
    expect(await a.annStatus()).toMatchObject({
      last: { source: "built" },
      size: N,
      builds: 1,
      building: false,
    });
    const generation = (await a.annStatus()).generation as number;
    await a.close();
    expect(existsSync(annPaths(path).index(generation))).toBe(true);

    const b = await createSqliteMemoryStore({ path, annThreshold: 1000 });
    // The saved index is the same graph: after the restart every result is what it was.
    expect(await expectCloseToExact(b, queries)).toEqual(before);
    expect((await b.annStatus()).last?.source).toBe("loaded");
    // In-process writes follow into the index without a rebuild.
    await b.addItems([{ item: item(N), embedding: queries[0] as Float32Array }]);
    await b.deleteItems(["m1", "m2"]);
    expect((await b.vectorSearch(queries[0] as Float32Array, { k: 1 }))[0]?.id).toBe(`m${N}`);
    expect((await b.annStatus()).last?.source).toBe("loaded");
    expect((await b.annStatus()).size).toBe(N - 1);
    await expectCloseToExact(b, queries);
    await b.close();
  });

  it("catches a stale saved index up from the change log, and rebuilds one the log no longer covers", async () => {
    const path = join(dir, "b.db");
    await fill(path, 0, N);
    const a = await createSqliteMemoryStore({ path, annThreshold: 1000 });
    await a.vectorSearch(queries[0] as Float32Array, { k: 10 });
    await a.annSettled();
    await a.close(); // index saved at the current generation
    const sidecar = readFileSync(annPaths(path).sidecar, "utf8");

    // Writes the saved index never saw (another connection), then a restart: it is loaded and
    // brought up to date from the log, not rebuilt.
    await fill(path, N, N + 50);
    writeFileSync(annPaths(path).sidecar, sidecar);
    const b = await createSqliteMemoryStore({ path, annThreshold: 1000 });
    await expectCloseToExact(b, queries);
    expect(await b.annStatus()).toMatchObject({
      last: { source: "loaded" },
      size: N + 50,
      builds: 0,
      catchUps: 1,
      caughtUpVectors: 50,
    });

    // A second connection writing while b holds its index: b notices on its next search.
    const c = await createSqliteMemoryStore({ path, annThreshold: Number.POSITIVE_INFINITY });
    const far = Float32Array.from({ length: DIM }, (_, i) => (i === 0 ? 1 : 0));
    await c.addItems([{ item: item(N + 100), embedding: far }]);
    await c.close();
    expect((await b.vectorSearch(far, { k: 1 }))[0]?.id).toBe(`m${N + 100}`);
    await expectCloseToExact(b, queries);
    expect(await b.annStatus()).toMatchObject({ builds: 0, catchUps: 2, size: N + 51 });
    await b.close();

    // More changed since the save than a search catches up with: the worker thread loads the
    // saved index and catches it up, while searches run exact.
    await fill(path, N + 200, N + 800);
    const e = await createSqliteMemoryStore({ path, annThreshold: 1000 });
    await e.vectorSearch(far, { k: 1 });
    expect(await e.annStatus()).toMatchObject({ building: true, loads: 0 });
    await e.annSettled();
    await expectCloseToExact(e, queries);
    expect(await e.annStatus()).toMatchObject({
      loads: 1,
      builds: 0,
      catchUps: 1,
      caughtUpVectors: 600,
      size: N + 651,
    });
    await e.close();

    // The log was pruned past the saved index (or the cube was emptied): rebuilt, in the background.
    const db = new Database(path);
    db.prepare(
      "UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'vec_generation') WHERE key = 'vec_log_floor'",
    ).run();
    db.close();
    writeFileSync(annPaths(path).sidecar, sidecar);
    const d = await createSqliteMemoryStore({ path, annThreshold: 1000 });
    await d.vectorSearch(far, { k: 1 });
    expect(await d.annStatus()).toMatchObject({ building: true, loads: 0 });
    await d.annSettled();
    await expectCloseToExact(d, queries);
    expect(await d.annStatus()).toMatchObject({ builds: 1, size: N + 651 });
    await d.close();
  });

  it("keeps uncommitted vectors out of the index and forgets rolled-back ones", async () => {
    const s = await createSqliteMemoryStore({ path: ":memory:", annThreshold: 10 });
    await fill(":memory:", 0, 0, s);
    for (let i = 0; i < 50; i++) await s.addItems([{ item: item(i), embedding: vector() }]);
    const far = Float32Array.from({ length: DIM }, (_, i) => (i === 1 ? 1 : 0));
    await s.vectorSearch(far, { k: 1 });
    await expect(
      s.transaction(async (tx) => {
        await tx.addItems([{ item: item(999), embedding: far }]);
        // Inside the transaction the new vector is found (exact path over vec0).
        expect((await tx.vectorSearch(far, { k: 1 }))[0]?.id).toBe("m999");
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect((await s.vectorSearch(far, { k: 1 }))[0]?.id).not.toBe("m999");
    expect((await s.annStatus()).size).toBe(50);
    await s.close();
  });

  it("fetches fewer candidates for a filter nearly all pass, and still fills k when it stops passing", async () => {
    // Items whose vector points one way carry the tag the filter asks for: queries from that side
    // see nearly every candidate pass, queries from the other side almost none.
    const s = await createSqliteMemoryStore({ path: ":memory:", annThreshold: 100 });
    const exact = await createSqliteMemoryStore({ path: ":memory:", annThreshold: Number.POSITIVE_INFINITY });
    const rows = Array.from({ length: 3000 }, (_, i) => {
      const embedding = vector();
      const side = (embedding[0] as number) > -0.6 ? "near" : "far";
      return {
        item: TextualMemoryItem.parse({
          id: `p${i}`,
          // "walrus" is in every far memory and in 1 near one in 50: keyword hits mostly fail the filter.
          memory: side === "far" || i % 50 === 0 ? `walrus ${i}` : `m ${i}`,
          metadata: { tags: [side], user_id: "a" },
        }),
        embedding,
      };
    });
    for (const store of [s, exact]) await store.addItems(rows);
    const filter = { tags: { contains: "near" } };
    const toward = (sign: number) => {
      const q = vector();
      q[0] = sign;
      return q;
    };
    let found = 0;
    let total = 0;
    for (const sign of [1, 1, 1, 1, 1, 1, -1, -1, 1, -1]) {
      const q = toward(sign);
      const got = await s.vectorSearch(q, { k: 10, filter });
      const want = await exact.vectorSearch(q, { k: 10, filter });
      expect(got).toHaveLength(10);
      const wantIds = new Set(want.map((h) => h.id));
      found += got.filter((h) => wantIds.has(h.id)).length;
      total += want.length;
    }
    expect(found / total).toBeGreaterThanOrEqual(MIN_RECALL);
    // The vector path saw this filter pass nearly everything; keyword search must not trust that
    // for its own hits, which mostly fail it.
    const keyword = await s.keywordSearch("walrus", { k: 20, filter });
    expect(keyword).toEqual(await exact.keywordSearch("walrus", { k: 20, filter }));
    expect(keyword).toHaveLength(20);
    await s.close();
    await exact.close();
  });
});
