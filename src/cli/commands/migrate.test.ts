import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PgliteServer, startPgliteServer } from "../../../test/support/pglite-server.js";
import type { MemoryStore, StoredItem } from "../../core/interfaces/store.js";
import { mulberry32 } from "../../core/math/random.js";
import { type MemoryEdge, TextualMemoryItem } from "../../core/schema/memory.js";
import { createPostgresMemoryStore } from "../../storage/postgres/index.js";
import { createSqliteMemoryStore } from "../../storage/sqlite/index.js";
import { runCli } from "../main.js";
import { migrateStores } from "./migrate.js";
import { copyStore } from "./migrate-copy.js";

let pg: PgliteServer;
const root = mkdtempSync(join(tmpdir(), "memos-migrate-"));

beforeAll(async () => {
  pg = await startPgliteServer();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Memories with every kind of field: versions and history, unknown fields, unicode, no vector, archived. */
function corpus(prefix: string, n: number, seed: number): { items: StoredItem[]; edges: MemoryEdge[] } {
  const rand = mulberry32(seed);
  const items: StoredItem[] = [];
  for (let i = 0; i < n; i++) {
    const item = TextualMemoryItem.parse({
      id: `${prefix}-${String(i).padStart(3, "0")}`,
      memory: `${prefix} memory ${i}: Ünïcödé 中文 ${rand().toFixed(6)} "quoted" \\ back`,
      metadata: {
        user_id: i % 3 === 0 ? "alice" : null,
        session_id: `s${i % 4}`,
        status: i % 7 === 0 ? "archived" : "activated",
        memory_type: i % 2 ? "UserMemory" : "LongTermMemory",
        key: i % 5 ? `key ${i}` : undefined,
        tags: [`t${i % 3}`, "shared"],
        confidence: (i * 13) % 100,
        created_at: `2025-0${1 + (i % 9)}-0${1 + (i % 7)}T10:00:00.000Z`,
        updated_at: `2025-10-01T00:00:0${i % 10}.000Z`,
        version: 1 + (i % 3),
        history: Array.from({ length: i % 3 }, (_, v) => ({
          version: v + 1,
          memory: `old text ${v}`,
          update_type: v ? "conflict" : "update",
          archived_memory_id: v ? `${prefix}-archived-${v}` : null,
          created_at: "2025-01-01T00:00:00Z",
          why: { nested: [1, 2.5, null, true] },
        })),
        usage: [{ time: "2025-02-02T00:00:00Z", query: "where" }],
        custom_float: rand(),
        custom_big: 2 ** 53 - 1,
        custom_obj: { "weird key": ["x", { y: false }] },
      },
    });
    const embedding = i % 6 === 5 ? undefined : Float32Array.from({ length: 12 }, () => rand() * 2 - 1);
    items.push(embedding ? { item, embedding } : { item });
  }
  const edges: MemoryEdge[] = [];
  for (let i = 1; i < n; i++) {
    edges.push({
      source: items[i]?.item.id as string,
      target: items[i - 1]?.item.id as string,
      type: "FOLLOWS",
    });
    if (i % 4 === 0) {
      edges.push({
        source: items[i]?.item.id as string,
        target: items[0]?.item.id as string,
        type: "RELATE_TO",
        weight: i / 10,
        note: "ü",
      } as MemoryEdge);
    }
  }
  return { items, edges };
}

async function fill(path: string, data: { items: StoredItem[]; edges: MemoryEdge[] }): Promise<void> {
  const store = await createSqliteMemoryStore({ path });
  await store.addItems(data.items);
  await store.addEdges(data.edges);
  await store.close();
}

/** Every memory, field, vector and edge of a store, in a comparable order. */
async function contents(store: MemoryStore) {
  const data = await store.exportAll();
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
  const key = (e: MemoryEdge) => `${e.source}>${e.type}>${e.target}`;
  return {
    nodes: [...data.nodes].sort(byId),
    edges: [...data.edges].sort((a, b) => (key(a) < key(b) ? -1 : 1)),
    dims: store.dimensions,
  };
}

async function sqliteContents(path: string) {
  const store = await createSqliteMemoryStore({ path });
  try {
    return await contents(store);
  } finally {
    await store.close();
  }
}

describe("memos migrate", () => {
  it("sqlite → postgres → sqlite is lossless: every field, vector and edge of every cube store", async () => {
    const home = join(root, "home");
    const c1 = corpus("c1", 40, 1);
    const pref = corpus("pref", 9, 2);
    const c2 = corpus("c2", 13, 3);
    await fill(join(home, "cubes", "c1", "memory.db"), c1);
    await fill(join(home, "cubes", "c1", "preference.db"), pref);
    await fill(join(home, "cubes", "c2", "memory.db"), c2);

    const there = await migrateStores({ from: `sqlite:${home}`, to: pg.url, batch: 7 });
    expect(there.map((s) => [s.store, s.items, s.copied, s.skipped])).toEqual([
      ["c1/memory", 40, 40, 0],
      ["c1/preference", 9, 9, 0],
      ["c2/memory", 13, 13, 0],
    ]);
    expect(there[0]?.vectors).toBe(40 - 6);
    expect(there[0]?.edges).toBe(c1.edges.length);

    // Back through the command line, into a fresh directory.
    const back = join(root, "back");
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), interactive: false };
    const code = await runCli(["migrate", "--from", pg.url, "--to", `sqlite:${back}`, "--json"], io);
    expect(code, out.join("")).toBe(0);
    const printed = JSON.parse(out.join("")) as { stores: { store: string; checksum: string }[] };
    expect(printed.stores.map((s) => s.store)).toEqual(["c1/memory", "c1/preference", "c2/memory"]);
    // The same checksum at both ends of both trips.
    expect(printed.stores.map((s) => s.checksum)).toEqual(there.map((s) => s.checksum));

    for (const name of ["c1/memory", "c1/preference", "c2/memory"]) {
      const [cube, file] = name.split("/");
      const original = await sqliteContents(join(home, "cubes", cube as string, `${file}.db`));
      const roundTrip = await sqliteContents(join(back, "cubes", cube as string, `${file}.db`));
      expect(roundTrip).toEqual(original);
      expect(original.nodes.length).toBeGreaterThan(0);
    }
    // The intermediate copy is the same too, read through the Postgres store.
    const inPg = await createPostgresMemoryStore({ url: pg.url, cubeId: "c1/memory", poolSize: 1 });
    try {
      expect(await contents(inPg)).toEqual(await sqliteContents(join(home, "cubes", "c1", "memory.db")));
    } finally {
      await inPg.close();
    }
  });

  it("resumes an interrupted migration without duplicating anything", async () => {
    const home = join(root, "resume");
    const data = corpus("r", 45, 9);
    await fill(join(home, "cubes", "main", "memory.db"), data);
    const source = await createSqliteMemoryStore({ path: join(home, "cubes", "main", "memory.db") });
    const target = await createPostgresMemoryStore({ url: pg.url, cubeId: "main/memory", poolSize: 1 });
    try {
      // The first run dies after its second batch of 10.
      await expect(
        copyStore(source, target, {
          batch: 10,
          onProgress: (phase, done) => {
            if (phase === "items" && done >= 20) throw new Error("killed");
          },
        }),
      ).rejects.toThrow("killed");
      expect(await target.count()).toBe(20);
    } finally {
      await source.close();
      await target.close();
    }
    const [rerun] = await migrateStores({ from: `sqlite:${home}`, to: pg.url, batch: 10 });
    expect(rerun).toMatchObject({ store: "main/memory", items: 45, copied: 25, skipped: 20 });
    const again = await migrateStores({ from: `sqlite:${home}`, to: pg.url, batch: 10 });
    expect(again[0]).toMatchObject({ items: 45, copied: 0, skipped: 45, checksum: rerun?.checksum });
    const check = await createPostgresMemoryStore({ url: pg.url, cubeId: "main/memory", poolSize: 1 });
    try {
      expect(await contents(check)).toEqual(await sqliteContents(join(home, "cubes", "main", "memory.db")));
    } finally {
      await check.close();
    }
  });

  it("refuses locations it cannot use, with exit code 2", async () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), interactive: false };
    expect(await runCli(["migrate", "--from", "mysql://x", "--to", pg.url], io)).toBe(2);
    expect(out.join("")).toMatch(/sqlite:DIR or postgres/);
    expect(await runCli(["migrate", "--from", `sqlite:${join(root, "empty")}`, "--to", pg.url], io)).toBe(2);
    expect(out.join("")).toMatch(/no cube stores/);
  });
});
