import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { BACKSTOP_PAGES, WalCheckpointer } from "./checkpointer.js";
import { createSqliteMemoryStore } from "./index.js";
import { spawnWriter } from "./test-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "memos-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const item = (i: number) =>
  TextualMemoryItem.parse({
    id: `m${i}`,
    memory: `Memory number ${i}: ${"the quick brown fox jumps over the lazy dog ".repeat(8)}`,
    metadata: { user_id: "u1", session_id: `s${i % 7}` },
  });

describe("background WAL checkpoints", () => {
  it("copy committed pages into the database file off the writing connection, and lose nothing", async () => {
    const path = join(dir, "cube.db");
    const store = await createSqliteMemoryStore({ path });
    const before = statSync(path).size;
    for (let batch = 0; batch < 10; batch++) {
      await store.addItems(
        Array.from({ length: 200 }, (_, i) => ({
          item: item(batch * 200 + i),
          embedding: Float32Array.from({ length: 16 }, (_, d) => Math.sin(batch * 200 + i + d)),
        })),
      );
    }
    const checkpoints = await store.checkpointsSettled();
    expect(checkpoints).toBeGreaterThan(0);
    // The connection's own checkpoint waits for ~40 MB of WAL: a few MB reached the file only
    // through the worker.
    expect(statSync(path).size).toBeGreaterThan(before + 1_000_000);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma("wal_autocheckpoint", { simple: true })).toBe(1000); // a fresh connection's default
      expect((raw.prepare("SELECT count(*) AS n FROM items").get() as { n: number }).n).toBe(2000);
    } finally {
      raw.close();
    }
    await store.close();
    // The store's connection closed last: the WAL went with it, the file alone holds everything.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = await createSqliteMemoryStore({ path });
    expect(await reopened.count()).toBe(2000);
    await reopened.close();
  });

  it("give checkpointing back to the connection when the worker fails", async () => {
    const pages: number[] = [];
    const checkpointer = new WalCheckpointer(join(dir, "missing", "nothing.db"), (n) => pages.push(n));
    expect(pages).toEqual([BACKSTOP_PAGES]);
    checkpointer.committed();
    await checkpointer.settled();
    expect(checkpointer.checkpoints).toBe(0);
    expect(pages).toEqual([BACKSTOP_PAGES, 1000]);
    // Later commits no longer start the worker.
    checkpointer.committed();
    await checkpointer.settled();
    expect(pages).toEqual([BACKSTOP_PAGES, 1000]);
    await checkpointer.close();
  });

  it("finish a checkpoint under way before close resolves: afterwards the .db alone remains", async () => {
    // Closed at moments around the worker's checkpoint (50 ms after a commit, plus its start-up).
    for (let wait = 0; wait <= 195; wait += 15) {
      const sub = mkdtempSync(join(dir, "close-"));
      const path = join(sub, "cube.db");
      const store = await createSqliteMemoryStore({ path });
      await store.addItems(Array.from({ length: 300 }, (_, i) => ({ item: item(i) })));
      await new Promise((r) => setTimeout(r, wait));
      await store.close();
      expect(readdirSync(sub)).toEqual(["cube.db"]);
      await new Promise((r) => setTimeout(r, 30));
      expect(readdirSync(sub)).toEqual(["cube.db"]); // no late WAL from the worker
      rmSync(sub, { recursive: true }); // what a copy or a cleanup does right after close
    }
  });

  it("keep a process alive while someone waits for them, and only then", async () => {
    const r = await spawnWriter(["settle", join(dir, "settle.db")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([{ checkpoints: 1 }]);
  });

  it("an in-memory cube has none", async () => {
    const store = await createSqliteMemoryStore({ path: ":memory:" });
    await store.addItems([{ item: item(1) }]);
    expect(await store.checkpointsSettled()).toBe(0);
    await store.close();
  });
});
