/**
 * `kill -9` during `memos load` leaves no registered cube behind: the cube is built in a staging
 * directory and registered only once it is full, so the retry succeeds instead of saying "exists".
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { json, memos } from "../../src/cli/test-helpers.js";

const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
const tmp = mkdtempSync(join(tmpdir(), "memos-load-crash-"));
const home = join(tmp, "home");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A dump of `n` memories without embeddings, so loading it embeds them all (seconds of work). */
function bigDump(n: number): string {
  const dir = join(tmp, "dump");
  mkdirSync(dir, { recursive: true });
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    memory: `Memory ${i}: the keeper of lighthouse ${i % 97} counted ${i} ships in the fog.`,
    metadata: { memory_type: "LongTermMemory", created_at: "2024-05-08T13:56:00Z" },
  }));
  writeFileSync(join(dir, "textual_memory.json"), JSON.stringify({ nodes, edges: [] }));
  return dir;
}

/** Start `memos load` in a child process and SIGKILL it as soon as it has begun to build the cube. */
function loadAndKill(dump: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/bin.ts", "load", dump, "--dir", home, "--cube", "big"],
      { cwd: repoRoot, stdio: "ignore" },
    );
    const started = () =>
      existsSync(join(home, "cubes", "bob__big")) ||
      (existsSync(join(home, "cubes", ".staging")) &&
        readdirSync(join(home, "cubes", ".staging")).length > 0);
    const poll = setInterval(() => {
      if (started()) child.kill("SIGKILL");
    }, 5);
    child.on("error", fail);
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      if (signal === "SIGKILL") done();
      else fail(new Error(`load ended on its own (code ${code}) before it could be killed`));
    });
  });
}

describe("memos load under kill -9", () => {
  it("registers nothing when killed midway, and the retry works", async () => {
    expect((await memos("init", "--dir", home, "--user", "bob")).code).toBe(0);
    const dump = bigDump(3000);
    await loadAndKill(dump);
    const cubes = json(await memos("cube", "list", "--dir", home, "--json")).cubes.map(
      (c: { cube_id: string }) => c.cube_id,
    );
    expect(cubes).toEqual(["bob/default"]);
    const retry = await memos("load", dump, "--dir", home, "--cube", "big", "--json");
    expect(retry.stderr).toBe("");
    expect(json(retry)).toMatchObject({ cube_id: "bob/big", memories: 3000 });
    // Nothing of the killed attempt is left behind.
    expect(readdirSync(join(home, "cubes", ".staging"))).toEqual([]);
  }, 120_000);
});
