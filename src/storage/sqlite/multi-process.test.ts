/**
 * Several processes on one cube file (a server and `memos worker`s): the other processes' writes
 * reach this one's HNSW index incrementally, search never waits for a rebuild, and lock
 * contention never surfaces as SQLITE_BUSY. The writers are child processes (test-helpers.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemosError } from "../../core/errors/index.js";
import { mulberry32 } from "../../core/math/random.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { annPaths } from "./ann.js";
import { createSqliteMemoryStore, type SqliteMemoryStore } from "./index.js";
import { spawnWriter } from "./test-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "memos-multi-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIM = 16;
/** Above the inline-build limit, so a full build goes to the background. */
const N = 5000;
const THRESHOLD = 1000;
const rand = mulberry32(7);
const vectors = Array.from({ length: N }, () => Float32Array.from({ length: DIM }, () => rand() * 2 - 1));
/** Unit vector along axis `i`: its nearest stored neighbour is whatever was written with it. */
const axis = (i: number) => Float32Array.from({ length: DIM }, (_, j) => (j === i ? 1 : 0));
const item = (i: number) => TextualMemoryItem.parse({ id: `m${i}`, memory: `memory ${i}`, metadata: {} });

async function fill(path: string): Promise<void> {
  const s = await createSqliteMemoryStore({ path, annThreshold: Number.POSITIVE_INFINITY });
  for (let i = 0; i < N; i += 1000) {
    await s.addItems(vectors.slice(i, i + 1000).map((embedding, j) => ({ item: item(i + j), embedding })));
  }
  await s.close();
}

async function run(args: string[]): Promise<unknown> {
  const r = await spawnWriter(args);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.lines.at(-1);
}

const topId = async (s: SqliteMemoryStore, v: Float32Array) => (await s.vectorSearch(v, { k: 1 }))[0]?.id;

describe("a cube shared with writer processes", () => {
  const path = join(dir, "shared.db");
  let server: SqliteMemoryStore;

  beforeAll(async () => {
    await fill(path);
    server = await createSqliteMemoryStore({ path, annThreshold: THRESHOLD });
  }, 60_000);
  afterAll(async () => {
    await server.close();
  });

  it("answers exactly while the index is built in the background", async () => {
    const exact = await createSqliteMemoryStore({ path, annThreshold: Number.POSITIVE_INFINITY });
    try {
      // All issued at once: none of them waits for the build the first one starts.
      const queries = vectors.slice(0, 8);
      const got = await Promise.all(queries.map((q) => server.vectorSearch(q, { k: 10 })));
      expect(await server.annStatus()).toMatchObject({ building: true, builds: 0 });
      for (const [i, q] of queries.entries()) expect(got[i]).toEqual(await exact.vectorSearch(q, { k: 10 }));
    } finally {
      await exact.close();
    }
    await server.annSettled();
    expect(await server.annStatus()).toMatchObject({ building: false, builds: 1, size: N });
  }, 60_000);

  it("finds another process's new memories without a rebuild", async () => {
    const before = await server.annStatus();
    const file = join(dir, "new.json");
    const added = [0, 1, 2].map((a) => ({
      id: `w${a}`,
      memory: `worker memory ${a}`,
      vector: Array.from(axis(a)),
    }));
    writeFileSync(file, JSON.stringify(added));
    expect(await run(["add", path, file])).toEqual({ added: 3 });

    for (const a of [0, 1, 2]) expect(await topId(server, axis(a))).toBe(`w${a}`);
    const after = await server.annStatus();
    expect(after).toMatchObject({ builds: before.builds, building: false, size: N + 3 });
    expect(after.catchUps).toBe(before.catchUps + 1);
    expect(after.caughtUpVectors).toBe(before.caughtUpVectors + 3);
  }, 60_000);

  it("drops another process's deletes and follows its vector updates without a rebuild", async () => {
    const before = await server.annStatus();
    const gone = ["w0", "w1", "m10", "m11"];
    expect(await run(["delete", path, gone.join(",")])).toEqual({ deleted: 4 });
    expect(await run(["update", path, "m20", Array.from(axis(5)).join(",")])).toEqual({ updated: "m20" });

    const hits = await Promise.all(
      [axis(0), axis(1), vectors[10] as Float32Array, vectors[11] as Float32Array].map((q) =>
        server.vectorSearch(q, { k: 20 }),
      ),
    );
    for (const h of hits) expect(h.map((x) => x.id).filter((id) => gone.includes(id))).toEqual([]);
    expect(await topId(server, axis(5))).toBe("m20");
    expect(await topId(server, axis(2))).toBe("w2");
    const after = await server.annStatus();
    expect(after).toMatchObject({ builds: before.builds, size: N + 3 - 4 });
    expect(after.catchUps).toBeGreaterThan(before.catchUps);
  }, 60_000);

  it("saves the caught-up index for the next start", async () => {
    const generation = (await server.annStatus()).generation as number;
    await server.close();
    server = await createSqliteMemoryStore({ path, annThreshold: THRESHOLD });
    expect(await topId(server, axis(5))).toBe("m20");
    expect(await server.annStatus()).toMatchObject({ loads: 1, builds: 0, catchUps: 0, generation });
    expect(existsSync(annPaths(path).index(generation))).toBe(true);
  });
});

describe("writers contending for one cube's lock", () => {
  it("never surface SQLITE_BUSY: two processes hammering writes while a third holds the lock", async () => {
    const path = join(dir, "contended.db");
    await (await createSqliteMemoryStore({ path, dimensions: 8 })).close();
    let ready = 0;
    let bothReady: () => void = () => {};
    const readyPromise = new Promise<void>((r) => {
      bothReady = r;
    });
    const onLine = (line: string) => {
      if (line === "ready" && ++ready === 2) bothReady();
    };
    const children = ["a", "b"].map((p) => spawnWriter(["hammer", path, p, "2500"], onLine));
    // (A writer that dies before "ready" ends the wait too, and fails below.)
    await Promise.race([readyPromise, Promise.all(children)]);
    // Hold the write lock for far longer than SQLite's own busy wait: both writers must retry.
    const holder = new Database(path);
    holder.pragma("busy_timeout = 5000");
    await sleep(200);
    holder.exec("BEGIN IMMEDIATE");
    await sleep(800);
    holder.exec("COMMIT");
    holder.close();

    const results = await Promise.all(children);
    let written = 0;
    let retries = 0;
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const summary = r.lines.at(-1) as {
        written: number;
        errors: string[];
        lockStats: { busyRetries: number };
      };
      expect(summary.errors).toEqual([]);
      written += summary.written;
      retries += summary.lockStats.busyRetries;
    }
    expect(retries).toBeGreaterThan(0);
    const check = await createSqliteMemoryStore({ path });
    try {
      expect(await check.count()).toBe(written);
      expect((await check.checkIntegrity()).ok).toBe(true);
    } finally {
      await check.close();
    }
  }, 120_000);

  it("gives a StorageError with a hint, not SQLITE_BUSY, when the lock stays taken past lockTimeoutMs", async () => {
    const path = join(dir, "locked.db");
    const store = await createSqliteMemoryStore({ path, dimensions: 2, lockTimeoutMs: 300 });
    const holder = new Database(path);
    holder.exec("BEGIN IMMEDIATE");
    try {
      const error = await store.addItems([{ item: item(1), embedding: Float32Array.from([1, 0]) }]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(MemosError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: "storage" });
      expect((error as MemosError).hint).toMatch(/lockTimeoutMs/);
      expect(store.lockStats()).toMatchObject({ gaveUp: 1 });
      expect(store.lockStats().busyRetries).toBeGreaterThan(0);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    // Once the lock is free, the same write goes through.
    await store.addItems([{ item: item(1), embedding: Float32Array.from([1, 0]) }]);
    expect(await store.count()).toBe(1);
    await store.close();
  });
});
