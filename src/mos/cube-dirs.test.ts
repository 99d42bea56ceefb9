import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { MOS } from "./mos.js";
import { tempDir } from "./test-helpers.js";

const tmp = tempDir("memos-dump-guard-");
const homeDir = join(tmp.dir, "home");
let mos: MOS;

async function refused(promise: Promise<unknown>): Promise<InvalidInputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(InvalidInputError.isInstance(error), `expected InvalidInputError, got ${String(error)}`).toBe(true);
  return error as InvalidInputError;
}

beforeAll(async () => {
  mos = await MOS.init({ home: homeDir, user: "alice" });
  await mos.createUser("bob");
  await mos.add({ userId: "alice", memoryContent: "Alice keeps her passport in the blue drawer" });
  await mos.add({ userId: "bob", memoryContent: "Bob likes chess" });
});
afterAll(async () => {
  await mos.close();
  tmp.cleanup();
});

describe("dump targets", () => {
  it("refuses another user's cube directory, MEMOS_HOME and its cubes/, even with force", async () => {
    const aliceDir = mos.listCubes({ userId: "alice" })[0]?.path as string;
    const before = readFileSync(join(aliceDir, "config.json"), "utf8");
    for (const dir of [aliceDir, homeDir, join(homeDir, "cubes"), join(homeDir, "cubes", "new")]) {
      const error = await refused(mos.dump("bob/default", dir, { userId: "bob", force: true }));
      expect(error.message).toMatch(/refusing to dump into .*inside MEMOS_HOME/);
      expect(error.hint).toBeTruthy();
    }
    expect(readFileSync(join(aliceDir, "config.json"), "utf8")).toBe(before);
    expect(existsSync(join(homeDir, "cubes", "new"))).toBe(false);
  });

  it("refuses a registered cube's directory outside MEMOS_HOME and any directory holding a live cube", async () => {
    const outside = join(tmp.dir, "registered");
    await mos.dump("alice/default", outside, { userId: "alice" });
    await mos.registerMemCube(outside, { userId: "alice", cubeId: "alice/registered" });
    const error = await refused(mos.dump("bob/default", outside, { userId: "bob", force: true }));
    expect(error.message).toContain('belongs to the registered cube "alice/registered"');

    // An unregistered cube directory with its database: still a cube, never overwritten.
    const live = join(tmp.dir, "live");
    mkdirSync(live);
    writeFileSync(join(live, "config.json"), readFileSync(join(outside, "config.json")));
    writeFileSync(join(live, "memory.db"), "");
    const direct = await refused(mos.dump("alice/default", live, { userId: "alice", force: true }));
    expect(direct.message).toMatch(/holds the cube "alice\/default" \(its database memory\.db\)/);
  });

  it("still dumps to a fresh directory, and again over its own earlier dump with force", async () => {
    const out = join(tmp.dir, "backup");
    const first = await mos.dump("bob/default", out, { userId: "bob" });
    expect(first.memories).toBe(1);
    const again = await mos.dump("bob/default", out, { userId: "bob", force: true });
    expect(again.memories).toBe(1);
    const other = await refused(mos.dump("alice/default", out, { userId: "alice", force: true }));
    expect(other.message).toContain('a dump of another cube, "bob/default"');
  });
});
