/**
 * Another process writing a cube, for the multi-process tests: `spawnWriter(command, args)` runs
 * this file under tsx, which does one of the commands below on the store and prints its result
 * as one JSON line. Left out of the build.
 *
 *   add <path> <items.json>    add items ({id, memory, vector}[]) in one call
 *   delete <path> <id,id,...>  delete items
 *   update <path> <id> <v,v,…> replace one item's vector
 *   hammer <path> <prefix> <ms> write small batches (and now and then a transaction that holds
 *                               the lock across an await) for ms milliseconds after "ready"
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { createSqliteMemoryStore } from "./store.js";

const here = fileURLToPath(import.meta.url);
const repoRoot = resolve(here, "../../../..");

export interface ChildResult {
  code: number | null;
  /** Lines the child printed, JSON-parsed where they are JSON. */
  lines: unknown[];
  stderr: string;
}

/** Run one command of this file in a child process; `onLine` sees each stdout line as it comes. */
export function spawnWriter(args: string[], onLine?: (line: string) => void): Promise<ChildResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", here, ...args], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: unknown[] = [];
    let buffered = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const line of parts) {
        onLine?.(line);
        try {
          lines.push(JSON.parse(line));
        } catch {
          lines.push(line);
        }
      }
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, lines, stderr }));
  });
}

const item = (id: string, memory: string) => TextualMemoryItem.parse({ id, memory, metadata: {} });

async function main(argv: string[]): Promise<void> {
  const [command, path] = argv;
  if (!path) throw new Error(`usage: ${command} <path> ...`);
  const store = await createSqliteMemoryStore({ path, annThreshold: Number.POSITIVE_INFINITY });
  try {
    if (command === "add") {
      const items = JSON.parse(readFileSync(argv[2] as string, "utf8")) as {
        id: string;
        memory: string;
        vector: number[];
      }[];
      await store.addItems(
        items.map((i) => ({ item: item(i.id, i.memory), embedding: Float32Array.from(i.vector) })),
      );
      console.log(JSON.stringify({ added: items.length }));
    } else if (command === "delete") {
      console.log(JSON.stringify({ deleted: await store.deleteItems((argv[2] as string).split(",")) }));
    } else if (command === "update") {
      const id = argv[2] as string;
      const old = await store.getItem(id);
      if (!old) throw new Error(`no item ${id}`);
      await store.updateItem(id, old, Float32Array.from((argv[3] as string).split(",").map(Number)));
      console.log(JSON.stringify({ updated: id }));
    } else if (command === "settle") {
      // Nothing else keeps this process alive while it waits for the background checkpoint.
      await store.addItems([{ item: item("s1", "settle") }]);
      console.log(JSON.stringify({ checkpoints: await store.checkpointsSettled() }));
    } else if (command === "hammer") {
      await hammer(store, argv[2] as string, Number(argv[3]));
    } else {
      throw new Error(`unknown command ${command}`);
    }
  } finally {
    await store.close();
  }
}

/** Write as fast as possible for `ms`; every error is reported, none is swallowed. */
async function hammer(
  store: Awaited<ReturnType<typeof createSqliteMemoryStore>>,
  prefix: string,
  ms: number,
) {
  console.log("ready");
  const dims = 8;
  const vector = (n: number) => Float32Array.from({ length: dims }, (_, i) => Math.sin(n + i) + 1.5);
  const errors: string[] = [];
  let written = 0;
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const batch = Array.from({ length: 5 }, () => {
      n++;
      return { item: item(`${prefix}-${n}`, `memory ${prefix} ${n}`), embedding: vector(n) };
    });
    try {
      if (n % 50 === 0) {
        // Hold the write lock across an await, longer than SQLite's own busy wait.
        await store.transaction(async (tx) => {
          await tx.addItems(batch);
          await sleep(120);
        });
      } else {
        await store.addItems(batch);
      }
      written += batch.length;
    } catch (error) {
      const e = error as { code?: string; message?: string; cause?: { code?: string } };
      errors.push(`${e.code ?? "?"} ${e.cause?.code ?? ""} ${e.message ?? String(error)}`);
    }
  }
  console.log(JSON.stringify({ written, errors, lockStats: store.lockStats() }));
}

if (process.argv[1] && resolve(process.argv[1]) === here) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
