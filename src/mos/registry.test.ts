/**
 * The SQLite registry (MEMOS_HOME/registry.db) and the migration of a foundation-era memos.json.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import { MemCube } from "../cube/mem-cube.js";
import { MemosHome } from "./home.js";
import { MOS } from "./mos.js";
import { Registry } from "./registry.js";
import { tempDir } from "./test-helpers.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function home(): string {
  const t = tempDir("memos-registry-");
  cleanups.push(t.cleanup);
  return join(t.dir, "home");
}

/** A home as the foundation wrote it: cube directories and memos.json, no registry.db. */
async function foundationHome(dir: string): Promise<{ mayaMemory: string }> {
  const maya = await MemCube.create(join(dir, "cubes/maya__default"), {
    cubeId: "maya/default",
    userId: "maya",
  });
  const [item] = await maya.text.add(["Maya's cat is called Pixel"]);
  await maya.close();
  await (
    await MemCube.create(join(dir, "cubes/bob__default"), { cubeId: "bob/default", userId: "bob" })
  ).close();
  await (
    await MemCube.create(join(dir, "cubes/maya__copy"), { cubeId: "maya/copy", userId: "maya" })
  ).close();
  const json = {
    version: 1,
    default_user: "maya",
    users: {
      bob: { default_cube: "bob/default", created_at: "2025-01-02T00:00:00.000Z" },
      maya: { default_cube: "maya/default", created_at: "2025-01-01T00:00:00.000Z" },
    },
    cubes: {
      "maya/default": { owner: "maya", path: "cubes/maya__default", created_at: "2025-01-01T00:00:00.000Z" },
      "bob/default": { owner: "bob", path: "cubes/bob__default", created_at: "2025-01-02T00:00:00.000Z" },
      "maya/copy": { owner: "maya", path: "cubes/maya__copy", created_at: "2025-01-03T00:00:00.000Z" },
    },
  };
  writeFileSync(join(dir, "memos.json"), JSON.stringify(json, null, 2));
  return { mayaMemory: item?.id as string };
}

describe("registry.db", () => {
  it("init makes the first user root with a default cube; later users are plain users", async () => {
    const dir = home();
    const { home: h, created } = await MemosHome.init(dir, { user: "alice" });
    expect(created).toBe(true);
    expect(h.user("alice")).toMatchObject({
      role: "root",
      default_cube: "alice/default",
      api_key_hash: null,
    });
    h.close();
    const again = await MemosHome.init(dir, { user: "bob" });
    expect(again.created).toBe(false);
    expect(again.home.user("bob")).toMatchObject({ role: "user", default_cube: "bob/default" });
    expect(again.home.defaultUser).toBe("alice");
    again.home.close();
    // The journal is WAL, so a server and CLI commands can share the home.
    const db = new Database(join(dir, "registry.db"), { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(1);
    db.close();
  });

  it("open on a directory without a home is a NotFoundError telling to run memos init", () => {
    expect(() => Registry.open(home())).toThrowError(NotFoundError);
  });

  it("keeps users, cubes and shares across connections; a failed transaction leaves nothing", async () => {
    const dir = home();
    const registry = Registry.open(dir, { create: true });
    registry.insertUser({ user_id: "root", role: "root" });
    registry.insertUser({ user_id: "bob", role: "user" });
    registry.insertCube({ cube_id: "root/a", owner: "root", path: "cubes/root__a" });
    registry.upsertShare("root/a", "bob", "read");
    registry.upsertShare("root/a", "bob", "write"); // upsert changes the permission
    expect(() =>
      registry.transaction(() => {
        registry.insertCube({ cube_id: "root/b", owner: "root", path: "cubes/root__b" });
        registry.insertCube({ cube_id: "root/a", owner: "root", path: "elsewhere" }); // exists: throws
      }),
    ).toThrowError(InvalidInputError);
    const other = Registry.open(dir);
    expect(other.listCubes().map((c) => c.cube_id)).toEqual(["root/a"]);
    expect(other.sharesForUser("bob")).toMatchObject([{ cube_id: "root/a", permission: "write" }]);
    expect(other.defaultUser).toBe("root");
    // Forgetting a cube takes its shares along.
    other.deleteCube("root/a");
    expect(registry.sharesForUser("bob")).toEqual([]);
    other.setApiKeyHash("bob", "sha256:abc");
    expect(registry.userByApiKeyHash("sha256:abc")?.user_id).toBe("bob");
    registry.close();
    other.close();
  });
});

describe("several processes sharing one home", () => {
  it("concurrent `memos user add` from four processes all land (WAL, immediate transactions)", async () => {
    const dir = home();
    (await MemosHome.init(dir, { user: "root" })).home.close();
    const root = new URL("../../", import.meta.url).pathname;
    const run = (name: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            "--import",
            "tsx",
            join(root, "src/cli/bin.ts"),
            "user",
            "add",
            name,
            "--dir",
            dir,
            "--user",
            "root",
          ],
          {
            cwd: root,
          },
        );
        let stderr = "";
        child.stderr.on("data", (d) => {
          stderr += String(d);
        });
        child.on("close", (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all(["u1", "u2", "u3", "u4"].map(run));
    expect(results.map((r) => r.stderr)).toEqual(["", "", "", ""]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const h = MemosHome.open(dir);
    expect(h.users()).toEqual(["root", "u1", "u2", "u3", "u4"]);
    expect(h.registry.listCubes().map((c) => c.cube_id)).toEqual([
      "root/default",
      "u1/default",
      "u2/default",
      "u3/default",
      "u4/default",
    ]);
    h.close();
  }, 120_000);
});

describe("two processes initialising one home at once", () => {
  it("the one that finds the user already added (after its own check) opens the home", async () => {
    const dir = home();
    (await MemosHome.init(dir, { user: "default" })).home.close();
    // The race two servers starting together ran into: the check saw no user, then the other
    // process's insert landed first.
    const check = vi.spyOn(Registry.prototype, "getUser").mockReturnValueOnce(undefined);
    try {
      const { home: h, created } = await MemosHome.init(dir, { user: "default" });
      expect(created).toBe(false);
      expect(h.users()).toEqual(["default"]);
      expect(h.registry.listCubes().map((c) => c.cube_id)).toEqual(["default/default"]);
      h.close();
    } finally {
      check.mockRestore();
    }
  });

  it("still reports a failed add that no other process explains", async () => {
    const dir = home();
    (await MemosHome.init(dir, { user: "default" })).home.close();
    const check = vi.spyOn(Registry.prototype, "getUser").mockReturnValue(undefined);
    try {
      // The registry never shows the user, so no other process added it: the insert's failure stands.
      await expect(MemosHome.init(dir, { user: "default" })).rejects.toThrow();
    } finally {
      check.mockRestore();
    }
  });
});

describe("migration from memos.json", () => {
  it("moves users, cubes and default cubes into registry.db; the default user becomes root", async () => {
    const dir = home();
    const { mayaMemory } = await foundationHome(dir);
    const h = MemosHome.open(dir);
    expect(h.defaultUser).toBe("maya");
    expect(h.user("maya")).toMatchObject({
      role: "root",
      default_cube: "maya/default",
      created_at: "2025-01-01T00:00:00.000Z",
    });
    expect(h.user("bob")).toMatchObject({ role: "user", default_cube: "bob/default" });
    expect(h.registry.listCubes().map((c) => [c.cube_id, c.owner, c.path])).toEqual([
      ["bob/default", "bob", "cubes/bob__default"],
      ["maya/copy", "maya", "cubes/maya__copy"],
      ["maya/default", "maya", "cubes/maya__default"],
    ]);
    expect(h.readableCubes("maya")).toEqual(["maya/copy", "maya/default"]);
    expect(h.readableCubes("bob")).toEqual(["bob/default"]);
    expect(existsSync(join(dir, "memos.json"))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, "memos.json.migrated"), "utf8")).default_user).toBe("maya");
    h.close();
    // The cubes still open, with their memories, through the new registry.
    const mos = await MOS.open({ home: dir });
    expect((await mos.get(mayaMemory, { userId: "maya" })).memory.memory).toBe("Maya's cat is called Pixel");
    await mos.close();
  });

  it("a memos.json left behind after the import (crash before the rename) is not imported twice", async () => {
    const dir = home();
    await foundationHome(dir);
    MemosHome.open(dir).close();
    copyFileSync(join(dir, "memos.json.migrated"), join(dir, "memos.json"));
    const h = MemosHome.open(dir);
    expect(h.registry.listCubes()).toHaveLength(3);
    expect(h.users()).toEqual(["bob", "maya"]);
    expect(existsSync(join(dir, "memos.json"))).toBe(false);
    h.close();
  });

  it("memos init on a foundation home migrates it and keeps working", async () => {
    const dir = home();
    await foundationHome(dir);
    const { home: h, created } = await MemosHome.init(dir, { user: "maya" });
    expect(created).toBe(false);
    expect(h.user("maya").role).toBe("root");
    h.close();
  });

  it("a damaged memos.json is an InvalidInputError, never silently skipped", () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, "memos.json"), JSON.stringify({ version: 1, users: "nope" }));
    expect(() => MemosHome.open(t.dir)).toThrowError(InvalidInputError);
    // Still there to be repaired, and still refused on the next open.
    expect(existsSync(join(t.dir, "memos.json"))).toBe(true);
    expect(() => MemosHome.open(t.dir)).toThrowError(InvalidInputError);
  });
});
