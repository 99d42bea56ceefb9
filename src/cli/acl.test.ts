/**
 * The ACL through the CLI: user and cube commands, and the matrix (owner, shared-read user,
 * shared-write user, guest shared with write, admin, stranger × read, write, delete, share) —
 * a denied command exits 3 with a one-line reason and prints no memory.
 */

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../mos/test-helpers.js";
import { type CliResult, json, memos } from "./test-helpers.js";

const t = tempDir("memos-cli-acl-");
const home = join(t.dir, "home");
const CUBE = "olive/default";
const SECRET = "Olive keeps the spare key under the blue flowerpot";
let secretId = "";

const as = (user: string, ...argv: string[]) => memos(...argv, "--dir", home, "--user", user);

function expectDenied(r: CliResult): void {
  expect(r.code).toBe(3);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  if (lines[0]?.startsWith("{")) {
    // --json: the error as one JSON line.
    expect(JSON.parse(lines[0]).error).toMatchObject({
      code: "access_denied",
      message: expect.stringMatching(/ may not /),
      hint: expect.any(String),
    });
  } else expect(lines[0]).toMatch(/^memos: .* may not .* \(hint: /);
  expect(r.stderr).not.toContain("flowerpot");
}

beforeAll(async () => {
  expect((await memos("init", "--dir", home, "--user", "root")).code).toBe(0);
  const made = await as("root", "user", "add", "ada", "--role", "admin", "--json");
  expect(made.code).toBe(0);
  expect(json(made)).toMatchObject({
    user_id: "ada",
    role: "admin",
    default_cube: "ada/default",
    created_by: "root",
  });
  for (const u of ["olive", "rita", "will", "sam"]) expect((await as("ada", "user", "add", u)).code).toBe(0);
  expect((await as("ada", "user", "add", "gus", "--role", "guest")).stdout).toBe('Created guest "gus"\n');
  secretId = json<{ added: { id: string }[] }>(await as("olive", "add", SECRET, "--json")).added[0]
    ?.id as string;
  for (const [who, perm] of [
    ["rita", "read"],
    ["will", "write"],
    ["gus", "write"],
  ]) {
    const r = await as(
      "olive",
      "cube",
      "share",
      "default",
      "--with",
      who as string,
      "--permission",
      perm as string,
    );
    expect(r.stdout).toBe(`Shared cube "${CUBE}" with "${who}" (${perm})\n`);
  }
});
afterAll(() => t.cleanup());

describe("memos user / cube", () => {
  it("user list shows roles; only root and admins add users", async () => {
    const users = json<{ users: { user_id: string; role: string }[] }>(
      await as("sam", "user", "list", "--json"),
    ).users;
    expect(Object.fromEntries(users.map((u) => [u.user_id, u.role]))).toEqual({
      ada: "admin",
      gus: "guest",
      olive: "user",
      rita: "user",
      root: "root",
      sam: "user",
      will: "user",
    });
    expectDenied(await as("olive", "user", "add", "eve"));
    expectDenied(await as("ada", "user", "add", "eve", "--role", "admin"));
    const bad = await as("root", "user", "add", "eve", "--role", "wizard");
    expect(bad.code).toBe(2);
  });

  it("cube create / list / unshare / unregister", async () => {
    expect((await as("sam", "cube", "create", "notes")).stdout).toBe(
      'Created cube "sam/notes" (owner "sam")\n',
    );
    expectDenied(await as("sam", "cube", "create", "notes2", "--owner", "olive"));
    expectDenied(await as("ada", "cube", "create", "gnotes", "--owner", "gus"));
    const listed = json<{
      cubes: { cube_id: string; access: string; actions: string[]; shared_with?: unknown[] }[];
    }>(await as("rita", "cube", "list", "--json")).cubes;
    expect(listed.map((c) => [c.cube_id, c.access])).toEqual([
      [CUBE, "read"],
      ["rita/default", "owner"],
    ]);
    expect(listed[0]?.actions).toEqual(["read"]);
    expect(listed[0]?.shared_with).toBeUndefined(); // only those who may share see the shares
    expect((await as("olive", "cube", "list")).stdout).toContain(
      "shared with gus (write), rita (read), will (write)",
    );
    expect((await as("sam", "cube", "share", "notes", "--with", "rita")).code).toBe(0);
    expect((await as("sam", "cube", "unshare", "notes", "--with", "rita")).stdout).toBe(
      '"rita" no longer has access to "sam/notes"\n',
    );
    expectDenied(await as("rita", "cube", "unregister", CUBE));
    expect((await as("sam", "cube", "unregister", "notes")).code).toBe(0);
    expect((await as("sam", "cube", "list", "--json")).stdout).not.toContain("sam/notes");
  });
});

describe("ACL matrix through the CLI", () => {
  /** Each action on olive/default; returns the result, and checks the effect when it succeeded. */
  const actions = {
    read: async (user: string) => {
      const r = await as(user, "search", "where is the spare key?", "--cube", CUBE, "--json");
      if (r.code === 0) expect(r.stdout).toContain("flowerpot");
      return r;
    },
    write: (user: string) => as(user, "add", `${user} was here`, "--cube", CUBE),
    delete: async (user: string) => {
      const id = json<{ added: { id: string }[] }>(
        await as("olive", "add", `doomed note for ${user}`, "--json"),
      ).added[0]?.id as string;
      const r = await as(user, "delete", id, "--cube", CUBE);
      if (r.code !== 0) await as("olive", "delete", id);
      return r;
    },
    share: async (user: string) => {
      const r = await as(user, "cube", "share", CUBE, "--with", "sam");
      if (r.code === 0) expect((await as("olive", "cube", "unshare", CUBE, "--with", "sam")).code).toBe(0);
      return r;
    },
  } as const;

  const matrix: Record<string, Record<keyof typeof actions, boolean>> = {
    olive: { read: true, write: true, delete: true, share: true },
    rita: { read: true, write: false, delete: false, share: false },
    will: { read: true, write: true, delete: false, share: false },
    gus: { read: true, write: false, delete: false, share: false },
    ada: { read: true, write: true, delete: true, share: true },
    sam: { read: false, write: false, delete: false, share: false },
  };

  for (const [user, row] of Object.entries(matrix)) {
    for (const [action, allowed] of Object.entries(row) as [keyof typeof actions, boolean][]) {
      it(`${user} × ${action}: ${allowed ? "exit 0" : "exit 3"}`, async () => {
        const r = await actions[action](user);
        if (allowed) {
          expect(r.stderr).toBe("");
          expect(r.code).toBe(0);
        } else expectDenied(r);
      });
    }
  }

  it("a stranger can reach no memory of the cube through any command", async () => {
    for (const argv of [
      ["get", secretId, "--cube", CUBE],
      ["history", secretId, "--cube", CUBE],
      ["rollback", secretId, "--to", "1", "--cube", CUBE],
      ["delete", secretId, "--cube", CUBE],
      ["list", "--cube", CUBE],
      ["search", "spare key", "--cube", CUBE],
      ["dump", join(t.dir, "sam-dump"), "--cube", CUBE],
      ["add", "x", "--cube", CUBE],
    ]) {
      expectDenied(await as("sam", ...argv));
    }
    // Without --cube the memory is simply not there for them (not found, exit 2), and never printed.
    for (const argv of [
      ["get", secretId],
      ["delete", secretId],
      ["history", secretId],
    ]) {
      const r = await as("sam", ...argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
    }
    const mine = await as("sam", "search", "spare key", "--json");
    expect(mine.code).toBe(0);
    expect(mine.stdout).not.toContain("flowerpot");
    expect((await as("sam", "list", "--json")).stdout).not.toContain("flowerpot");
    // The secret is intact.
    expect(json<{ memory: string }>(await as("olive", "get", secretId, "--json")).memory).toContain(SECRET);
  });

  it("guests: read shared cubes, write nothing, load nothing", async () => {
    const r = await as("gus", "get", secretId, "--json");
    expect(r.code).toBe(0);
    expect(json<{ cube_id: string }>(r).cube_id).toBe(CUBE);
    expectDenied(await as("gus", "add", "guest note"));
    expectDenied(await as("gus", "rollback", secretId, "--to", "1"));
    expectDenied(await as("gus", "load", join(t.dir, "nowhere")));
  });

  it("shared readers see the cube in their default search; dump needs only read", async () => {
    const r = json<{ results: { cube_id: string; memory: string }[] }>(
      await as("rita", "search", "where is the spare key?", "--json"),
    );
    expect(r.results.find((h) => h.memory.includes(SECRET))?.cube_id).toBe(CUBE);
    const d = await as("rita", "dump", join(t.dir, "rita-dump"), "--cube", CUBE, "--json");
    expect(d.code).toBe(0);
    expect(json(d)).toMatchObject({ cube_id: CUBE });
  });
});
