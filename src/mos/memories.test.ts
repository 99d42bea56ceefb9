/**
 * Cross-cube reads degrade per cube, a user can leave a cube shared with them, cube names resolve
 * the same way everywhere, cube ids belong to their owner's namespace, and `load` validates what
 * it imports and counts what it stored.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";
import { MOS } from "./mos.js";
import { expectDenied, tempDir } from "./test-helpers.js";

const tmp = tempDir("memos-degrade-");
const home = join(tmp.dir, "home");
let admin: MOS;

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure, got success");
}

beforeAll(async () => {
  admin = await MOS.init({ home, user: "root" });
  for (const u of ["alice", "bob", "carol", "dave"]) await admin.createUser(u);
  await admin.add({ userId: "bob", memoryContent: "Bob's bike is a green Brompton" });
  for (const [owner, name] of [
    ["alice", "gone"],
    ["carol", "corrupt"],
    ["carol", "recipes"],
    ["dave", "recipes"],
  ] as const) {
    await admin.createCubeForUser(name, owner, { actingUser: owner });
    await admin.add({
      userId: owner,
      cubeId: `${owner}/${name}`,
      memoryContent: `${owner} ${name}: Brompton bikes fold`,
    });
    admin.shareCubeWithUser(`${owner}/${name}`, { actingUser: owner, targetUser: "bob" });
  }
  await admin.close();
  // Break two of the cubes shared with bob: one directory gone, one database overwritten.
  rmSync(join(home, "cubes", "alice__gone"), { recursive: true, force: true });
  writeFileSync(join(home, "cubes", "carol__corrupt", "memory.db"), Buffer.alloc(8192, 7));
  admin = await MOS.open({ home, userId: "root" });
});
afterAll(async () => {
  await admin.close();
  tmp.cleanup();
});

describe("cross-cube reads degrade per cube", () => {
  it("search answers from the cubes that work and names each failed cube and why", async () => {
    const found = await admin.search({ query: "Brompton bike", userId: "bob", topK: 3 });
    const answered = found.text_mem.map((c) => c.cube_id);
    expect(answered).toContain("bob/default");
    expect(answered).toContain("carol/recipes");
    expect(found.text_mem.find((c) => c.cube_id === "bob/default")?.memories[0]?.memory).toContain(
      "Brompton",
    );
    const failed = Object.fromEntries(found.failed_cubes.map((f) => [f.cube_id, f]));
    expect(Object.keys(failed).sort()).toEqual(["alice/gone", "carol/corrupt"]);
    expect(failed["alice/gone"]).toMatchObject({ code: "not_found" });
    expect(failed["carol/corrupt"]?.code).toBe("storage");
    expect(found.warnings.some((w) => w.startsWith('cube "alice/gone" skipped (not_found)'))).toBe(true);
    // getAll (list) degrades the same way.
    const all = await admin.getAll({ userId: "bob" });
    expect(all.failed_cubes.map((f) => f.cube_id).sort()).toEqual(["alice/gone", "carol/corrupt"]);
  });

  it("a named cube that fails still fails the call (nothing answered)", async () => {
    const error = await failure(admin.search({ query: "bike", userId: "bob", cubeIds: ["alice/gone"] }));
    expect(NotFoundError.isInstance(error)).toBe(true);
  });

  it("chat answers with the cubes that work and warns about the others", async () => {
    const llm = createScriptedLanguageModel([{ match: () => true, reply: () => "A green Brompton." }]);
    const mos = await MOS.open({ home, userId: "bob", llm });
    try {
      const r = await mos.chat("What bike do I have?");
      expect(r.answer).toBe("A green Brompton.");
      expect(r.memories.some((m) => m.cubeId === "bob/default")).toBe(true);
      expect(r.warnings.filter((w) => /cube "(alice\/gone|carol\/corrupt)" skipped/.test(w))).toHaveLength(2);
    } finally {
      await mos.close();
    }
  });

  it("a user can leave a cube shared with them, and then its failures no longer reach them", async () => {
    expect(admin.leaveCube("gone", { userId: "bob" })).toBe("alice/gone");
    expect(admin.leaveCube("carol/corrupt", { userId: "bob" })).toBe("carol/corrupt");
    const found = await admin.search({ query: "bike", userId: "bob" });
    expect(found.failed_cubes).toEqual([]);
    expect(admin.listCubes({ userId: "bob" }).map((c) => c.cube_id)).not.toContain("alice/gone");
    // Leaving again, or leaving one's own cube, is a clear error.
    expect(
      NotFoundError.isInstance(await failure(() => admin.leaveCube("alice/gone", { userId: "bob" }))),
    ).toBe(true);
    const own = await failure(() => admin.leaveCube("default", { userId: "bob" }));
    expect(InvalidInputError.isInstance(own)).toBe(true);
    expect((own as InvalidInputError).hint).toContain("unregister");
  });
});

describe("cube names and namespaces", () => {
  it("a short name means the user's own cube, then the one shared with them", async () => {
    await admin.createCubeForUser("notes", "alice", { actingUser: "alice" });
    const added = await admin.add({
      userId: "alice",
      cubeId: "notes",
      memoryContent: "Alice's notes say hello",
    });
    expect(added.cube_id).toBe("alice/notes");
    admin.shareCubeWithUser("recipes", { actingUser: "carol", targetUser: "alice" });
    const found = await admin.search({ query: "Brompton", userId: "alice", cubeIds: ["recipes"] });
    expect(found.text_mem.map((c) => c.cube_id)).toEqual(["carol/recipes"]);
    // Two shared cubes of that name: ambiguous, say which ids to choose from.
    admin.shareCubeWithUser("recipes", { actingUser: "dave", targetUser: "alice" });
    const error = await failure(admin.search({ query: "x", userId: "alice", cubeIds: ["recipes"] }));
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).message).toContain("carol/recipes, dave/recipes");
  });

  it("nobody creates or loads a cube in another user's namespace", async () => {
    await expectDenied(admin.createCubeForUser("alice/squat", "bob", { actingUser: "bob" }));
    await expectDenied(admin.createCubeForUser("x", "bob", { actingUser: "bob", cubeId: "alice/x" }));
    // Root may create alice's cube for her, never for someone else.
    await expectDenied(admin.createCubeForUser("alice/other", "root"));
    expect(await admin.createCubeForUser("alice/made-for-her", "alice")).toBe("alice/made-for-her");
    const dump = join(tmp.dir, "bob-dump");
    await admin.dump("bob/default", dump, { userId: "bob" });
    await expectDenied(admin.load(dump, { userId: "bob", cubeId: "alice/x" }));
    expect((await admin.load(dump, { userId: "bob", cubeId: "copy" })).cube_id).toBe("bob/copy");
    // Without a name: the source's name, in the loader's namespace (never "bob/default").
    const taken = await failure(admin.load(dump, { userId: "carol" }));
    expect((taken as InvalidInputError).message).toBe('cube "carol/default" exists already');
  });
});

describe("load validates like add and counts what it stored", () => {
  const node = (id: string, metadata: Record<string, unknown> = {}) => ({
    id,
    memory: `memory ${id}`,
    metadata: { memory_type: "LongTermMemory", created_at: "2024-05-08T13:56:00Z", ...metadata },
  });
  const write = (name: string, nodes: unknown[]) => {
    const dir = join(tmp.dir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "textual_memory.json"), JSON.stringify({ nodes, edges: [] }));
    return dir;
  };

  it.each([
    [
      "a date that is not a date",
      [node("a"), node("b", { created_at: "notadate" })],
      /nodes\[1\] has created_at "notadate"/,
    ],
    ["an unknown memory type", [node("a", { memory_type: "Bogus" })], /nodes\[0\] has memory_type "Bogus"/],
    ["a repeated id", [node("a"), node("b"), node("a")], /nodes\[2\] repeats the id "a" of nodes\[0\]/],
  ])("refuses %s, registering nothing", async (name, nodes, message) => {
    const dir = write(`bad-${name.replaceAll(" ", "-")}`, nodes);
    const error = await failure(admin.load(dir, { userId: "dave", cubeId: "bad" }));
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).message).toMatch(message);
    expect((error as InvalidInputError).hint).toBeTruthy();
    expect(admin.listCubes({ userId: "dave" }).map((c) => c.cube_id)).not.toContain("dave/bad");
  });

  it("reports the memories it stored", async () => {
    const dir = write("good", [node("a"), node("b"), node("c")]);
    const r = await admin.load(dir, { userId: "dave", cubeId: "good" });
    expect(r).toMatchObject({ cube_id: "dave/good", memories: 3 });
    expect((await admin.getAll({ userId: "dave", cubeId: "dave/good" })).text_mem[0]?.memories).toHaveLength(
      3,
    );
  });
});
