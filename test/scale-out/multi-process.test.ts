/**
 * Scale-out, for real: two `memos serve --no-worker` and two `memos worker` processes (the CLI
 * binary through tsx) share one PostgreSQL (PGlite over the wire protocol) and one Redis. A write
 * through either server is visible through the other at once; every queued add runs exactly once,
 * on one of the two workers; the memories live in PostgreSQL, not in the cube directories.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { json, memos } from "../../src/cli/test-helpers.js";
import { acquirePool } from "../../src/storage/postgres/driver.js";
import { type PgSerialProxy, startPgSerialProxy } from "../support/pg-serial-proxy.js";
import { type PgliteServer, startPgliteServer } from "../support/pglite-server.js";
import { REDIS_HOW_TO, REDIS_SERVER_BIN, useRedisServer } from "../support/redis.js";
import { itWithService } from "../support/services.js";

const root = new URL("../..", import.meta.url).pathname;
/** Generous: four tsx processes start at once on a loaded 2-core machine. */
const READY_MS = 90_000;

interface Proc {
  child: ChildProcess;
  out: string;
  name: string;
}

function startMemos(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/cli/bin.ts"), ...args], {
    cwd: root,
    env,
  });
  const proc: Proc = { child, out: "", name };
  child.stdout?.on("data", (d) => {
    proc.out += String(d);
  });
  child.stderr?.on("data", (d) => {
    proc.out += String(d);
  });
  return proc;
}

async function waitFor(proc: Proc, pattern: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + READY_MS;
  while (Date.now() < deadline) {
    const m = proc.out.match(pattern);
    if (m) return m;
    if (proc.child.exitCode !== null)
      throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${proc.out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} not ready in ${READY_MS} ms:\n${proc.out}`);
}

async function stop(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.child.once("exit", () => resolve()));
  proc.child.kill("SIGTERM");
  const killer = setTimeout(() => proc.child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(killer);
}

describe("two servers and two workers over one PostgreSQL and one Redis", () => {
  const redis = useRedisServer();
  const dir = mkdtempSync(join(tmpdir(), "memos-multi-"));
  const home = join(dir, "home");
  const procs: Proc[] = [];
  const saved = {
    MEMOS_STORE: process.env.MEMOS_STORE,
    MEMOS_PG_URL: process.env.MEMOS_PG_URL,
    MEMOS_REDIS_URL: process.env.MEMOS_REDIS_URL,
  };
  let pg: PgliteServer | undefined;
  let proxy: PgSerialProxy | undefined;
  let pgUrl = "";
  let key = "";
  let serverA = "";
  let serverB = "";

  async function call(base: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: asserted field by field
    const parsed: any = JSON.parse(text);
    return { status: res.status, body: parsed };
  }

  /** Bob's tasks as the queue holds them, with the worker that ran each (REST keeps that internal). */
  async function queuedTasks(): Promise<Map<string, { status: string; attempts: number; worker?: string }>> {
    const r = await memos("scheduler", "status", "--dir", home, "--user", "bob", "--limit", "1000", "--json");
    expect(r.code).toBe(0);
    return new Map(json(r).tasks.map((t: { task_id: string }) => [t.task_id, t]));
  }

  async function searchTexts(base: string, query: string, topK = 50): Promise<string[]> {
    const r = await call(base, "POST", "/product/search", { user_id: "bob", query, top_k: topK });
    expect(r.status).toBe(200);
    return r.body.data.text_mem.flatMap((c: { memories: { memory: string }[] }) =>
      c.memories.map((m) => m.memory),
    );
  }

  beforeAll(async () => {
    if (!REDIS_SERVER_BIN) return;
    pg = await startPgliteServer({ maxConnections: 64 });
    proxy = await startPgSerialProxy(Number(new URL(pg.url).port));
    pgUrl = `postgres://postgres@127.0.0.1:${proxy.port}/postgres`;
    // The home's cubes are made here (in process) with the same settings the servers get.
    process.env.MEMOS_STORE = "postgres";
    process.env.MEMOS_PG_URL = pgUrl;
    process.env.MEMOS_REDIS_URL = redis.url();
    expect((await memos("init", "--dir", home, "--user", "alice")).code).toBe(0);
    expect((await memos("user", "add", "bob", "--dir", home)).code).toBe(0);
    const created = await memos("key", "create", "--user", "bob", "--dir", home, "--json");
    expect(created.code).toBe(0);
    key = json(created).key;

    const env = {
      ...process.env,
      MEMOS_STORE: "postgres",
      MEMOS_PG_URL: pgUrl,
      MEMOS_REDIS_URL: redis.url(),
      MEMOS_LLM: "",
    };
    const serve = ["serve", "--dir", home, "--port", "0", "--host", "127.0.0.1", "--no-worker"];
    const a = startMemos("server A", serve, env);
    const b = startMemos("server B", serve, env);
    const wa = startMemos("worker w-a", ["worker", "--dir", home, "--name", "w-a"], env);
    const wb = startMemos("worker w-b", ["worker", "--dir", home, "--name", "w-b"], env);
    procs.push(a, b, wa, wb);
    const url = /REST API\s+(http:\/\/\S+?)\/product\//;
    const [ma, mb] = await Promise.all([
      waitFor(a, url),
      waitFor(b, url),
      waitFor(wa, /redis queue, concurrency/),
      waitFor(wb, /redis queue, concurrency/),
    ]);
    serverA = (ma as RegExpMatchArray)[1] as string;
    serverB = (mb as RegExpMatchArray)[1] as string;
  }, READY_MS + 30_000);

  afterAll(async () => {
    await Promise.all(procs.map(stop));
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await proxy?.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "a write through server A is found through server B at once (sync and async)",
    async () => {
      expect(serverA).not.toBe(serverB);
      const sync = await call(serverA, "POST", "/product/add", {
        user_id: "bob",
        messages: "Bob keeps his kayak in the boathouse on Lake Tahoe",
        async_mode: "sync",
      });
      expect(sync.status).toBe(200);
      expect(sync.body.data[0]).toMatchObject({ cube_id: "bob/default" });
      // No wait, no retry: the other server reads the same database.
      expect((await searchTexts(serverB, "kayak boathouse")).join("\n")).toContain("Lake Tahoe");

      const queued = await call(serverA, "POST", "/product/add", {
        user_id: "bob",
        messages: "Bob's sister Ines teaches violin in Lisbon",
        async_mode: "async",
      });
      expect(queued.status).toBe(200);
      const [task] = queued.body.data;
      expect(task).toMatchObject({ status: "waiting", task_id: expect.any(String) });
      const waited = await call(serverB, "POST", "/product/scheduler/wait?user_name=bob&timeout_seconds=60");
      expect(waited.body.data).toMatchObject({ running_tasks: 0, timed_out: false });
      const status = await call(
        serverB,
        "GET",
        `/product/scheduler/status?user_id=bob&task_id=${task.task_id}`,
      );
      expect(status.body.data).toEqual([expect.objectContaining({ status: "completed", attempts: 1 })]);
      expect((await queuedTasks()).get(task.task_id)?.worker).toMatch(/^w-[ab]$/);
      expect((await searchTexts(serverB, "sister violin Lisbon")).join("\n")).toContain("Ines");
      expect((await searchTexts(serverA, "sister violin Lisbon")).join("\n")).toContain("Ines");
    },
    120_000,
  );

  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "async adds queued through both servers each run exactly once, on one of the two workers",
    async () => {
      const n = 16;
      const notes = Array.from({ length: n }, (_, i) => `Bob's parcel number ${1000 + i} left the depot`);
      const replies = await Promise.all(
        notes.map((note, i) =>
          call(i % 2 === 0 ? serverA : serverB, "POST", "/product/add", {
            user_id: "bob",
            messages: note,
            async_mode: "async",
          }),
        ),
      );
      const ids = replies.map((r) => {
        expect(r.status).toBe(200);
        return r.body.data[0].task_id as string;
      });
      expect(new Set(ids).size).toBe(n);
      const waited = await call(serverA, "POST", "/product/scheduler/wait?user_name=bob&timeout_seconds=90");
      expect(waited.body.data).toMatchObject({ running_tasks: 0, timed_out: false });

      const tasks = await Promise.all(
        ids.map(async (id, i) => {
          const r = await call(
            i % 2 === 0 ? serverB : serverA,
            "GET",
            `/product/scheduler/status?user_id=bob&task_id=${id}`,
          );
          expect(r.body.data).toHaveLength(1);
          return r.body.data[0];
        }),
      );
      for (const t of tasks) expect(t).toMatchObject({ status: "completed", attempts: 1 });
      const queued = await queuedTasks();
      const byWorker: Record<string, number> = {};
      for (const id of ids) {
        const t = queued.get(id);
        expect(t).toMatchObject({ status: "completed", attempts: 1 });
        expect(["w-a", "w-b"]).toContain(t?.worker);
        byWorker[t?.worker as string] = (byWorker[t?.worker as string] ?? 0) + 1;
      }
      // Which worker claims what is Redis's choice; both usually do, but that is not asserted.
      console.info(`multi-process: ${n} adds ran on ${JSON.stringify(byWorker)}`);

      // Exactly once in the memories too: each note stored once, read through either server.
      const all = await call(serverB, "POST", "/product/get_all", {
        user_id: "bob",
        memory_type: "text_mem",
      });
      const texts: string[] = all.body.data.flatMap((c: { memories: { memory: string }[] }) =>
        c.memories.map((m) => m.memory),
      );
      for (const note of notes) expect(texts.filter((t) => t.includes(note.slice(6, 30)))).toHaveLength(1);
    },
    150_000,
  );

  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "the memories live in PostgreSQL, not in files in the cube directories",
    async () => {
      const ref = await acquirePool({ url: pgUrl, max: 1 });
      try {
        const { rows } = await ref.pool.query(
          `SELECT c.cube_id, count(i.id)::int AS n, bool_and(i.embedding IS NOT NULL) AS embedded
             FROM memos_cubes c JOIN memos_items i ON i.cube = c.cube
            WHERE c.cube_id = $1 AND i.memory LIKE $2 GROUP BY c.cube_id`,
          ["bob__default/memory", "%parcel number%"],
        );
        expect(rows).toEqual([{ cube_id: "bob__default/memory", n: 16, embedded: true }]);
      } finally {
        await ref.release();
      }
      const cubeDir = join(home, "cubes", "bob__default");
      expect(existsSync(join(cubeDir, "config.json"))).toBe(true);
      expect(readdirSync(cubeDir).filter((f) => f.endsWith(".db"))).toEqual([]);
    },
    60_000,
  );
});
