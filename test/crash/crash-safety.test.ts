/**
 * Crash safety of the SQLite store: a writer process is SIGKILLed while it commits batches; after
 * each kill the file must hold every acknowledged batch in full, no partial batch, and no orphan
 * vector, keyword or edge row.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteMemoryStore } from "../../src/storage/sqlite/index.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = resolve(here, "../..");
const writer = join(here, "writer.ts");
const BATCH = 200;
const DIM = 32;
const dir = mkdtempSync(join(tmpdir(), "memos-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Run the writer from `first` and SIGKILL it at a random point of the batch after the
 * `killAfter`-th ack (a random fraction of the typical time between acks); return the acks.
 */
function runAndKill(path: string, first: number, killAfter: number, fraction: number): Promise<number[]> {
  return new Promise((resolvePromise, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", writer, path, String(first), String(BATCH), String(DIM)],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    const acks: number[] = [];
    const times: number[] = [];
    let buffered = "";
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout?.on("data", (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const m = /^ack (\d+)$/.exec(line.trim());
        if (!m) continue;
        acks.push(Number(m[1]));
        times.push(performance.now());
        if (acks.length === killAfter) {
          const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
          const gap = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : 10;
          setTimeout(() => child.kill("SIGKILL"), fraction * gap);
        }
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL") {
        reject(new Error(`writer exited by itself (code ${code}, signal ${signal}):\n${stderr}`));
      } else {
        resolvePromise(acks);
      }
    });
  });
}

interface FileState {
  batches: Map<number, number>;
  items: number;
  problems: string[];
}

/** Inspect the file with plain SQL, independently of the store's own code. */
function inspect(path: string): FileState {
  const db = new Database(path);
  sqliteVec.load(db);
  try {
    const problems: string[] = [];
    const integrity = db.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") problems.push(`integrity_check: ${String(integrity)}`);
    const fk = db.pragma("foreign_key_check") as unknown[];
    if (fk.length) problems.push(`${fk.length} foreign key violations`);
    try {
      db.exec("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')");
    } catch (error) {
      problems.push(`fts integrity: ${(error as Error).message}`);
    }
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const items = n("SELECT count(*) AS n FROM items");
    const checks: [string, string][] = [
      [
        "items without a vector",
        "SELECT count(*) AS n FROM items WHERE rid NOT IN (SELECT rowid FROM vec_items)",
      ],
      [
        "vectors without an item",
        "SELECT count(*) AS n FROM vec_items WHERE rowid NOT IN (SELECT rid FROM items)",
      ],
      [
        "items without a keyword row",
        "SELECT count(*) AS n FROM items WHERE rid NOT IN (SELECT rowid FROM items_fts)",
      ],
      [
        "keyword rows without an item",
        "SELECT count(*) AS n FROM items_fts WHERE rowid NOT IN (SELECT rid FROM items)",
      ],
      [
        "edges without both ends",
        "SELECT count(*) AS n FROM edges WHERE source NOT IN (SELECT id FROM items) OR target NOT IN (SELECT id FROM items)",
      ],
    ];
    for (const [what, sql] of checks) {
      const c = n(sql);
      if (c) problems.push(`${c} ${what}`);
    }
    if (n("SELECT count(*) AS n FROM vec_items") !== items)
      problems.push("vector count differs from item count");
    if (n("SELECT count(*) AS n FROM items_fts") !== items)
      problems.push("keyword row count differs from item count");
    const batches = new Map<number, number>();
    for (const r of db
      .prepare("SELECT json_extract(metadata, '$.batch') AS b, count(*) AS c FROM items GROUP BY b")
      .all() as { b: number; c: number }[]) {
      batches.set(r.b, r.c);
    }
    for (const r of db
      .prepare(
        `SELECT json_extract(i.metadata, '$.batch') AS b, count(*) AS c
         FROM edges e JOIN items i ON i.id = e.source GROUP BY b`,
      )
      .all() as { b: number; c: number }[]) {
      if (r.b % 2 === 0 || r.c !== BATCH - 1) problems.push(`batch ${r.b} has ${r.c} edges`);
    }
    for (const b of batches.keys()) {
      if (b % 2 === 1 && n(`SELECT count(*) AS n FROM edges WHERE source LIKE 'b${b}-%'`) !== BATCH - 1) {
        problems.push(`odd batch ${b} lost its edges`);
      }
    }
    return { batches, items, problems };
  } finally {
    db.close();
  }
}

describe("crash safety (SIGKILL during writes)", () => {
  it("keeps every acknowledged batch whole and leaves no partial batch or orphan row", async () => {
    const path = join(dir, "crash.db");
    const acked = new Set<number>();
    let next = 0;
    // Kill points spread over the writer's cycle: preparing a batch, inside its transaction,
    // committing, printing the ack.
    const fractions = [0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 0.5, 0.25, 0.05];
    for (const [round, fraction] of fractions.entries()) {
      const kill = 2 + (round % 3);
      const acks = await runAndKill(path, next, kill, fraction);
      expect(acks.length, `round ${round}`).toBeGreaterThanOrEqual(kill);
      for (const a of acks) acked.add(a);

      const state = inspect(path);
      expect(state.problems, `round ${round}`).toEqual([]);
      expect(state.items % BATCH, `round ${round}: partial batch`).toBe(0);
      for (const [b, c] of state.batches) expect(c, `round ${round}: batch ${b}`).toBe(BATCH);
      for (const b of acked)
        expect(state.batches.get(b), `round ${round}: acknowledged batch ${b}`).toBe(BATCH);
      // At most the one batch in flight at the kill may have committed without its ack.
      expect(state.batches.size - acked.size).toBeLessThanOrEqual(1);
      next = Math.max(...state.batches.keys()) + 1;

      // The store itself opens the file, agrees, and keeps working.
      const store = await createSqliteMemoryStore({ path, cubeId: "crash" });
      try {
        const report = await store.checkIntegrity();
        expect(report.problems).toEqual([]);
        expect(report.items).toBe(state.items);
        expect(report.vectors).toBe(state.items);
        expect(await store.count()).toBe(state.items);
        expect((await store.keywordSearch("lighthouse", { k: 3 })).length).toBe(3);
        const probe = (await store.getEmbedding(`b${acks[0]}-0`)) as Float32Array;
        expect((await store.vectorSearch(probe, { k: 1 }))[0]?.id).toBe(`b${acks[0]}-0`);
      } finally {
        await store.close();
      }
    }
  }, 180_000);
});
