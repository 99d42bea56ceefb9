/**
 * The ACL: the policy table (acl.ts) and the matrix through MOS — owner, shared-read user,
 * shared-write user, guest (shared with write, still read-only), admin and stranger × read,
 * write, delete and share — with every denial a one-line AccessDeniedError and nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessDeniedError } from "../core/errors/access-denied-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import { allowedActions, authorize, authorizeUserCreation } from "./acl.js";
import { MOS } from "./mos.js";
import { expectDenied, tempDir } from "./test-helpers.js";

describe("acl.ts policy", () => {
  const cube = { cube_id: "olive/default", owner: "olive" };
  it.each([
    ["root", { user_id: "r", role: "root" }, {}, ["read", "write", "delete", "share", "manage"]],
    ["admin", { user_id: "a", role: "admin" }, {}, ["read", "write", "delete", "share", "manage"]],
    ["owner", { user_id: "olive", role: "user" }, {}, ["read", "write", "delete", "share", "manage"]],
    ["shared write", { user_id: "w", role: "user" }, { share: "write" }, ["read", "write"]],
    ["shared read", { user_id: "r2", role: "user" }, { share: "read" }, ["read"]],
    ["guest shared write", { user_id: "g", role: "guest" }, { share: "write" }, ["read"]],
    ["guest owning (after a role change)", { user_id: "olive", role: "guest" }, {}, ["read"]],
    ["guest not shared", { user_id: "g", role: "guest" }, {}, []],
    ["stranger", { user_id: "s", role: "user" }, {}, []],
  ] as const)("%s", (_name, user, share, actions) => {
    expect(allowedActions(user, { ...cube, ...share })).toEqual(actions);
  });

  it("denials say who, what, which cube and why, on one line, with a hint", () => {
    const check = (fn: () => void, message: RegExp) => {
      try {
        fn();
        expect.unreachable();
      } catch (e) {
        expect(AccessDeniedError.isInstance(e)).toBe(true);
        expect((e as AccessDeniedError).message).toMatch(message);
        expect((e as AccessDeniedError).hint).toBeTruthy();
      }
    };
    check(
      () => authorize({ user_id: "sam", role: "user" }, cube, "read"),
      /^user "sam" may not read cube "olive\/default": it is neither theirs nor shared with them$/,
    );
    check(
      () => authorize({ user_id: "rita", role: "user" }, { ...cube, share: "read" }, "write"),
      /read-only/,
    );
    check(
      () => authorize({ user_id: "will", role: "user" }, { ...cube, share: "write" }, "delete"),
      /write share allows reading and writing only/,
    );
    check(
      () => authorize({ user_id: "gus", role: "guest" }, { ...cube, share: "write" }, "write"),
      /^guest "gus" may not write to cube .*guests may only read/,
    );
    check(() => authorizeUserCreation({ user_id: "u", role: "user" }, "user"), /only root and admins/);
    check(() => authorizeUserCreation({ user_id: "a", role: "admin" }, "admin"), /only root may/);
    check(() => authorizeUserCreation({ user_id: "r", role: "root" }, "root"), /one root/);
  });
});

describe("ACL matrix through MOS", () => {
  const t = tempDir("memos-acl-");
  let mos: MOS;
  let pixel: string;
  const CUBE = "olive/default";

  beforeAll(async () => {
    mos = await MOS.init({ home: t.dir, user: "root" });
    await mos.createUser("ada", { role: "admin" });
    for (const u of ["olive", "rita", "will", "sam"]) await mos.createUser(u);
    await mos.createUser("gus", { role: "guest" });
    pixel = (await mos.add({ userId: "olive", memoryContent: "Olive's cat is called Pixel" })).memories[0]
      ?.id as string;
    mos.shareCubeWithUser(CUBE, { actingUser: "olive", targetUser: "rita", permission: "read" });
    mos.shareCubeWithUser(CUBE, { actingUser: "olive", targetUser: "will", permission: "write" });
    mos.shareCubeWithUser(CUBE, { actingUser: "olive", targetUser: "gus", permission: "write" });
  });
  afterAll(async () => {
    await mos.close();
    t.cleanup();
  });

  const count = async () =>
    (await mos.getAll({ userId: "olive", cubeId: CUBE })).text_mem[0]?.memories.length ?? 0;

  /** Each action, done by `user` on olive/default; it checks its own effect when allowed. */
  const actions = {
    read: async (user: string) => {
      const found = await mos.search({ query: "what is the cat called?", userId: user, cubeIds: [CUBE] });
      expect(found.text_mem[0]?.memories.map((m) => m.id)).toContain(pixel);
      expect((await mos.get(pixel, { userId: user, cubeId: CUBE })).memory.memory).toContain("Pixel");
    },
    write: async (user: string) => {
      const before = await count();
      const added = await mos.add({ userId: user, cubeId: CUBE, memoryContent: `${user} was here` });
      expect(added.cube_id).toBe(CUBE);
      expect(await count()).toBe(before + 1);
      await mos.update(
        added.memories[0]?.id as string,
        { memory: `${user} was here, twice` },
        { userId: user },
      );
    },
    delete: async (user: string) => {
      // The memory to delete is added by the owner, so the check is about deleting alone.
      const id = (await mos.add({ userId: "olive", memoryContent: `to be deleted by ${user}` })).memories[0]
        ?.id as string;
      try {
        await mos.delete(id, { userId: user, cubeId: CUBE });
      } catch (error) {
        await mos.delete(id, { userId: "olive" });
        throw error;
      }
      await expect(mos.get(id, { userId: "olive" })).rejects.toThrowError(NotFoundError);
    },
    share: async (user: string) => {
      const share = mos.shareCubeWithUser(CUBE, { actingUser: user, targetUser: "sam" });
      expect(share).toMatchObject({ cube_id: CUBE, user_id: "sam", permission: "read" });
      expect(mos.unshareCube(CUBE, { actingUser: user, targetUser: "sam" })).toBe(true);
    },
  } as const;

  const matrix: Record<string, Record<keyof typeof actions, boolean>> = {
    olive: { read: true, write: true, delete: true, share: true }, // owner
    rita: { read: true, write: false, delete: false, share: false }, // shared read
    will: { read: true, write: true, delete: false, share: false }, // shared write
    gus: { read: true, write: false, delete: false, share: false }, // guest, shared write
    ada: { read: true, write: true, delete: true, share: true }, // admin
    root: { read: true, write: true, delete: true, share: true }, // root
    sam: { read: false, write: false, delete: false, share: false }, // stranger
  };

  for (const [user, row] of Object.entries(matrix)) {
    for (const [action, allowed] of Object.entries(row) as [keyof typeof actions, boolean][]) {
      it(`${user} × ${action}: ${allowed ? "allowed" : "AccessDeniedError"}`, async () => {
        if (allowed) {
          await actions[action](user);
          return;
        }
        const before = await count();
        const sharesBefore = mos.listCubes({ userId: "olive" }).find((c) => c.cube_id === CUBE)?.shared_with;
        const denied = await expectDenied(actions[action](user));
        expect(denied.message).toContain(`"${user}"`);
        expect(denied.message).toContain(CUBE);
        expect(await count()).toBe(before);
        expect(mos.listCubes({ userId: "olive" }).find((c) => c.cube_id === CUBE)?.shared_with).toEqual(
          sharesBefore,
        );
      });
    }
  }

  it("memory ids of cubes a user may not read are not found, whatever the call; nothing leaks or changes", async () => {
    for (const call of [
      () => mos.get(pixel, { userId: "sam" }),
      () => mos.update(pixel, { memory: "hijacked" }, { userId: "sam" }),
      () => mos.delete(pixel, { userId: "sam" }),
      () => mos.history(pixel, { userId: "sam" }),
      () => mos.rollback(pixel, 1, { userId: "sam" }),
    ]) {
      await expect(call()).rejects.toThrowError(NotFoundError);
    }
    // Naming the cube turns it into a denial.
    await expectDenied(mos.get(pixel, { userId: "sam", cubeId: CUBE }));
    await expectDenied(mos.getAll({ userId: "sam", cubeId: CUBE }));
    await expectDenied(mos.deleteAll({ userId: "sam", cubeId: CUBE }));
    await expectDenied(mos.dump(CUBE, `${t.dir}/sam-dump`, { userId: "sam" }));
    await expectDenied(mos.unregisterMemCube(CUBE, { userId: "sam" }));
    // A search over named cubes fails as a whole when one is denied.
    await expectDenied(mos.search({ query: "cat", userId: "sam", cubeIds: ["sam/default", CUBE] }));
    // Sam's own search, chat scope and listings never include olive's cube.
    const own = await mos.search({ query: "what is the cat called?", userId: "sam" });
    expect(own.text_mem.map((c) => c.cube_id)).toEqual(["sam/default"]);
    expect(mos.listCubes({ userId: "sam" }).map((c) => c.cube_id)).toEqual(["sam/default"]);
    expect((await mos.get(pixel, { userId: "olive" })).memory.memory).toBe("Olive's cat is called Pixel");
  });

  it("registering or loading another user's cube directory is refused", async () => {
    const oliveDir = mos.listCubes({ userId: "olive" }).find((c) => c.cube_id === CUBE)?.path as string;
    await expectDenied(mos.registerMemCube(oliveDir, { userId: "sam", cubeId: "sam/stolen" }));
    await expectDenied(mos.load(oliveDir, { userId: "sam", cubeId: "sam/stolen" }));
    // A reader registering it gets the existing cube back, not a copy they would own.
    expect(await mos.registerMemCube(oliveDir, { userId: "rita", cubeId: "rita/mine" })).toBe(CUBE);
    expect(mos.listCubes({ userId: "rita" }).find((c) => c.cube_id === CUBE)?.access).toBe("read");
  });

  it("guests own nothing and write nothing; users cannot create users", async () => {
    await expectDenied(mos.add({ userId: "gus", memoryContent: "guest note" }));
    await expectDenied(mos.createCubeForUser("notes", "gus", { actingUser: "root" }));
    await expectDenied(mos.load(t.dir, { userId: "gus" }));
    await expectDenied(mos.createUser("eve", { actingUser: "olive" }));
    await expectDenied(mos.createUser("eve", { actingUser: "ada", role: "admin" }));
    await expectDenied(mos.createCubeForUser("notes", "olive", { actingUser: "will" }));
    // Admins create users and cubes for others; only root makes admins.
    await mos.createUser("eve", { actingUser: "ada", role: "guest" });
    expect(await mos.createCubeForUser("notes", "olive", { actingUser: "ada" })).toBe("olive/notes");
    expect((await mos.createUser("boss", { actingUser: "root", role: "admin" })).role).toBe("admin");
  });

  it("share then read works, and unshare takes it back", async () => {
    const secret = (await mos.add({ userId: "will", memoryContent: "Will's locker code is 4411" }))
      .memories[0]?.id as string;
    await expectDenied(mos.get(secret, { userId: "sam", cubeId: "will/default" }));
    mos.shareCubeWithUser("will/default", { actingUser: "will", targetUser: "sam" });
    const found = await mos.search({ query: "locker code", userId: "sam" });
    expect(found.text_mem.map((c) => c.cube_id)).toEqual(["sam/default", "will/default"]);
    expect(found.text_mem[1]?.memories[0]?.id).toBe(secret);
    expect((await mos.get(secret, { userId: "sam" })).cube_id).toBe("will/default");
    mos.unshareCube("will/default", { actingUser: "will", targetUser: "sam" });
    await expect(mos.get(secret, { userId: "sam" })).rejects.toThrowError(NotFoundError);
  });
});
