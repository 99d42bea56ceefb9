/**
 * What a hostile or clumsy user used to break through the CLI (issue 10): oversized messages,
 * dumps into other cubes, broken shared cubes, squatted cube ids, short names, terminal escapes in
 * memories, repeated imports, bad homes and typos.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, memos, memosRaw } from "./test-helpers.js";

const root = new URL("../../", import.meta.url).pathname;
const sample = join(root, "examples/sample-chat.json");
const tmp = mkdtempSync(join(tmpdir(), "memos-harden-"));
const home = join(tmp, "home");
const as = (user: string, ...argv: string[]) => memos(...argv, "--dir", home, "--user", user);

const raw = memosRaw;

beforeAll(async () => {
  expect((await memos("init", "--dir", home, "--user", "root")).code).toBe(0);
  for (const u of ["alice", "bob"]) expect((await as("root", "user", "add", u)).code).toBe(0);
  expect((await as("bob", "add", "Bob keeps a green Brompton bike")).code).toBe(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("hardening", () => {
  it("refuses a message over the 8 MiB limit with a typed error", async () => {
    const r = await as("bob", "add", "x ".repeat(4.5 * 1024 * 1024));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/over the 8 MiB limit for one message \(hint: split it/);
  });

  it("dump --force never writes into another user's cube, MEMOS_HOME or cubes/", async () => {
    const aliceDir = join(home, "cubes", "alice__default");
    const before = readFileSync(join(aliceDir, "config.json"), "utf8");
    for (const dir of [aliceDir, home, join(home, "cubes")]) {
      const r = await as("bob", "dump", dir, "--force");
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("inside MEMOS_HOME");
    }
    expect(readFileSync(join(aliceDir, "config.json"), "utf8")).toBe(before);
  });

  it("a broken shared cube degrades search to a warning; the user can leave it", async () => {
    expect((await as("alice", "cube", "create", "flaky")).code).toBe(0);
    expect((await as("alice", "cube", "share", "flaky", "--with", "bob")).code).toBe(0);
    rmSync(join(home, "cubes", "alice__flaky"), { recursive: true, force: true });
    const r = await as("bob", "search", "Brompton bike");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Brompton");
    expect(r.stderr).toMatch(/warning: cube "alice\/flaky" skipped \(not_found\)/);
    const j = json(await as("bob", "search", "Brompton bike", "--json"));
    expect(j.failed_cubes).toMatchObject([{ cube_id: "alice/flaky", code: "not_found" }]);
    const left = await as("bob", "cube", "leave", "flaky");
    expect(left.code).toBe(0);
    expect(left.stdout).toContain('left cube "alice/flaky"');
    const after = await as("bob", "search", "Brompton bike");
    expect(after.stderr).toBe("");
  });

  it("cube ids belong to their owner's namespace", async () => {
    const squat = await as("bob", "cube", "create", "alice/notes");
    expect(squat.code).toBe(3);
    expect(squat.stderr).toContain('namespace of user "alice"');
    const dump = join(tmp, "bob-dump");
    expect((await as("bob", "dump", dump)).code).toBe(0);
    expect((await as("bob", "load", dump, "--cube", "alice/x")).code).toBe(3);
    const loaded = json(await as("bob", "load", dump, "--cube", "restored", "--json"));
    expect(loaded).toMatchObject({ cube_id: "bob/restored", memories: 1 });
    expect((await as("alice", "cube", "create", "notes")).code).toBe(0);
  });

  it("short cube names resolve the same way in every command", async () => {
    const add = await as("alice", "add", "Alice waters the ferns on Sundays", "--cube", "notes", "--json");
    expect(add.code).toBe(0);
    expect(json(add).cube_id).toBe("alice/notes");
    expect((await as("alice", "cube", "share", "notes", "--with", "bob")).code).toBe(0);
    const found = json(await as("bob", "search", "ferns", "--cube", "notes", "--json"));
    expect(found.results[0]?.cube_id).toBe("alice/notes");
    expect(json(await as("bob", "list", "--cube", "notes", "--json")).memories).toHaveLength(1);
  });

  it("human output escapes terminal control sequences; --json keeps the exact text", async () => {
    const evil = "clear\u001b[2J title\u001b]0;pwned\u0007 hidden\u001b[8m secret\u001b[0m bidi\u202etxt.exe";
    expect((await as("bob", "add", evil)).code).toBe(0);
    for (const argv of [["list"], ["search", "secret hidden title"]]) {
      const r = await raw(...argv, "--dir", home, "--user", "bob");
      expect(r.code).toBe(0);
      for (const bad of ["\u001b[2J", "\u001b]0;", "\u0007", "\u001b[8m", "\u202e"])
        expect(r.stdout).not.toContain(bad);
      expect(r.stdout).toContain("\\x1b[2J");
      expect(r.stdout).toContain("\\u202e");
    }
    const j = await raw("list", "--dir", home, "--user", "bob", "--json");
    const memories: { memory: string }[] = JSON.parse(j.stdout).memories;
    expect(memories.some((m) => m.memory.includes(evil))).toBe(true);
  });

  it("adding the same chat file twice stores it once and says so", async () => {
    const first = await as("alice", "add", "--file", sample, "--json");
    const added = json(first).added.length;
    expect(added).toBeGreaterThan(0);
    const again = await as("alice", "add", "--file", sample);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to add: \d+ messages are already stored in cube "alice\/default"/);
    expect(json(await as("alice", "add", "--file", sample, "--json"))).toMatchObject({ added: [] });
  });

  it("list --type names the valid memory types", async () => {
    const r = await as("bob", "list", "--type", "Bogus");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("LongTermMemory");
  });

  it("an unknown command says so, with a suggestion when one is close", async () => {
    const r = await memos("frobnicate");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).not.toContain("memos frobnicate --help");
    const typo = await memos("serch", "cats");
    expect(typo.stderr).toContain("did you mean search?");
  });

  it("init --dir on a file, a dangling link, a path through a file or /proc is a clear error at once", async () => {
    const file = join(tmp, "afile");
    writeFileSync(file, "not a directory");
    const link = join(tmp, "dangling");
    symlinkSync(join(tmp, "missing", "target"), link);
    for (const [dir, message] of [
      [file, "is a file, not a directory"],
      [link, "symbolic link to something that does not exist"],
      [join(file, "sub"), `${file} is a file`],
      ["/proc/memos-x", "kernel pseudo-filesystem"],
    ] as const) {
      const r = await memos("init", "--dir", dir);
      expect(r.code, dir).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain("hint:");
      expect((await memos("list", "--dir", dir)).code).toBe(2);
    }
  });

  it.skipIf(process.getuid?.() === 0)(
    "an unreadable home is a permission error naming it (skipped as root: root reads everything)",
    async () => {
      const locked = join(tmp, "locked");
      mkdirSync(locked);
      expect((await memos("init", "--dir", join(locked, "home"))).code).toBe(0);
      const { chmodSync } = await import("node:fs");
      chmodSync(locked, 0o000);
      try {
        const r = await memos("list", "--dir", join(locked, "home"));
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/permission denied|not writable/);
      } finally {
        chmodSync(locked, 0o700);
      }
    },
  );
});
