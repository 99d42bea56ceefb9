import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { AccessDeniedError } from "../core/errors/access-denied-error.js";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import { type CubeTextBackend, cubeStoreKindFromEnv } from "../cube/config.js";
import { MemCube } from "../cube/mem-cube.js";
import { embedderConfigFromEnv } from "../providers/shared/from-env.js";
import { requireCubeAccess, requireUser, scopeCubes } from "./guard.js";
import { migrateJsonRegistry } from "./migrate-json.js";
import { checkName } from "./names.js";
import { type CubeRecord, Registry, type UserRecord } from "./registry.js";
import type { Action, Role } from "./roles.js";

/** Options for a cube made in a home. */
export interface CreateCubeOptions {
  /** Display name (MemOS's cube_name); default the id. */
  name?: string;
  /** "general_text" (default) or "tree_text". */
  textBackend?: CubeTextBackend;
  /** The LLM a tree cube is opened with. */
  llm?: LanguageModel;
}

/**
 * MEMOS_HOME: the registry of users, cubes and shares (`registry.db`, see registry.ts) and the
 * directories of the cubes made here (`cubes/<cube>/`). This layer creates and finds things;
 * who may do what is decided by `acl.ts`, applied here in `requireCube` and `readableCubes`
 * and throughout `MOS`.
 *
 * @example
 * const { home } = await MemosHome.init("./.memos", { user: "alice" }); // alice is root
 * await home.addUser("bob");                                           // bob/default is made too
 * home.readableCubes("bob");                                           // ["bob/default"]
 * home.close();
 */
export class MemosHome {
  private constructor(
    readonly dir: string,
    readonly registry: Registry,
  ) {}

  /** `--dir`, else $MEMOS_HOME, else ./.memos */
  static resolveDir(dir?: string): string {
    return resolve(dir ?? process.env.MEMOS_HOME ?? ".memos");
  }

  /** Whether `dir` holds a home (registry.db, or a foundation-era memos.json). */
  static exists(dir: string): boolean {
    return Registry.exists(dir);
  }

  /**
   * Create a home whose first user, `user` (default "default"), is root and owns the cube
   * "<user>/default". On an existing home it is idempotent, adding `user` (role "user") when
   * missing; a foundation-era `memos.json` is migrated.
   */
  static async init(
    dir: string,
    options: { user?: string } = {},
  ): Promise<{ home: MemosHome; created: boolean }> {
    const user = checkName(options.user ?? "default", "user");
    const created = !Registry.exists(dir);
    const home = new MemosHome(dir, openRegistry(dir, true));
    try {
      if (!home.registry.getUser(user)) {
        try {
          await home.addUser(user, { role: home.registry.listUsers().length === 0 ? "root" : "user" });
        } catch (error) {
          // Another process over the same home (a second server starting) added it first.
          if (!(InvalidInputError.isInstance(error) && home.registry.getUser(user))) throw error;
        }
      }
    } catch (error) {
      home.close();
      throw error;
    }
    return { home, created };
  }

  /** Open an existing home (NotFoundError telling to run `memos init` when there is none). */
  static open(dir: string): MemosHome {
    return new MemosHome(dir, openRegistry(dir, false));
  }

  /** The user commands act as by default: the first user `memos init` made. */
  get defaultUser(): string {
    const user = this.registry.defaultUser;
    if (!user)
      throw new NotFoundError({
        message: `the home at ${this.dir} has no users`,
        hint: `run \`memos init --dir ${this.dir}\``,
      });
    return user;
  }

  /** User ids, sorted. */
  users(): string[] {
    return this.registry.listUsers().map((u) => u.user_id);
  }

  /** The user id, or NotFoundError naming the known ones. */
  requireUser(name = this.defaultUser): string {
    return requireUser(this.registry, name).user_id;
  }

  /** The user's record (role, default cube, ...), or NotFoundError. */
  user(name: string): UserRecord {
    return requireUser(this.registry, name);
  }

  /**
   * Add a user (default role "user") and, unless a guest, its cube "<name>/default". No ACL
   * check here: `MOS.createUser` checks who may create whom; `memos init` is trusted.
   */
  async addUser(name: string, options: { role?: Role; displayName?: string } = {}): Promise<string> {
    checkName(name, "user");
    const role = options.role ?? "user";
    this.registry.insertUser({ user_id: name, name: options.displayName, role });
    if (role === "guest") return name;
    try {
      await (await this.createCube(`${name}/default`, name, { name: "default" })).close();
    } catch (error) {
      this.registry.transaction(() => {
        this.registry.deleteCube(`${name}/default`);
        this.registry.deleteUser(name);
      });
      throw error;
    }
    return name;
  }

  /**
   * Create a cube owned by `owner` in `cubes/` and return it open (the caller closes it). The
   * registry row is written first, so two processes creating the same id cannot both build a
   * directory; a failure after that removes the row again. The owner's first cube becomes their
   * default. No ACL check here (see `MOS.createCubeForUser`).
   */
  async createCube(cubeId: string, owner: string, options: CreateCubeOptions = {}): Promise<MemCube> {
    checkName(cubeId, "cube");
    const path = join("cubes", cubeId.replaceAll("/", "__"));
    const record = this.registry.transaction(() => {
      const r = this.registry.insertCube({ cube_id: cubeId, name: options.name, owner, path });
      if (!this.registry.getUser(owner)?.default_cube) this.registry.setDefaultCube(owner, cubeId);
      return r;
    });
    try {
      // New cubes embed with MEMOS_EMBEDDER when set; a cube keeps its embedder for life.
      return await MemCube.create(this.cubeDir(record), {
        cubeId,
        userId: owner,
        embedder: embedderConfigFromEnv(),
        store: cubeStoreKindFromEnv(),
        textBackend: options.textBackend,
        llm: options.llm,
      });
    } catch (error) {
      this.registry.deleteCube(cubeId);
      throw error;
    }
  }

  /**
   * Make a cube all at once: it is built and filled (`fill`) in a staging directory nobody sees,
   * closed, moved into `cubes/`, and only then registered. A crash at any point leaves no
   * registered cube (at most an unregistered directory, cleaned up by the next attempt), so a
   * retry works. `memos load` uses this; `createCube` registers first, since it has nothing to fill.
   */
  async createCubeFilled<T>(
    cubeId: string,
    owner: string,
    options: CreateCubeOptions,
    fill: (cube: MemCube) => Promise<T>,
  ): Promise<T> {
    checkName(cubeId, "cube");
    const taken = () =>
      new InvalidInputError({
        message: `cube "${cubeId}" exists already`,
        hint: "pick another name with --cube (cubeId)",
      });
    if (this.registry.getCube(cubeId)) throw taken();
    const leaf = cubeId.replaceAll("/", "__");
    const path = join("cubes", leaf);
    const staging = join(this.dir, "cubes", ".staging");
    removeStaleStaging(staging, leaf);
    const work = join(staging, `${leaf}.${process.pid}.${Date.now()}`);
    let result: T;
    try {
      const cube = await MemCube.create(work, {
        cubeId,
        userId: owner,
        embedder: embedderConfigFromEnv(),
        store: cubeStoreKindFromEnv(),
        textBackend: options.textBackend,
        llm: options.llm,
      });
      try {
        result = await fill(cube);
      } finally {
        await cube.close();
      }
      const final = join(this.dir, path);
      // A directory there without a registry row is what a crash between move and register left.
      if (existsSync(final) && !this.registry.getCube(cubeId))
        rmSync(final, { recursive: true, force: true });
      mkdirSync(join(this.dir, "cubes"), { recursive: true });
      renameSync(work, final);
    } catch (error) {
      rmSync(work, { recursive: true, force: true });
      throw error;
    }
    try {
      this.registry.transaction(() => {
        if (this.registry.getCube(cubeId)) throw taken();
        this.registry.insertCube({ cube_id: cubeId, name: options.name, owner, path });
        if (!this.registry.getUser(owner)?.default_cube) this.registry.setDefaultCube(owner, cubeId);
      });
    } catch (error) {
      if (!this.registry.getCube(cubeId)) rmSync(join(this.dir, path), { recursive: true, force: true });
      throw error;
    }
    return result;
  }

  /**
   * Register an existing cube directory (made elsewhere) under `cubeId`, owned by `owner`.
   * The directory stays where it is and is never deleted by this home.
   */
  registerCube(cubeId: string, owner: string, dir: string, options: { name?: string } = {}): CubeRecord {
    checkName(cubeId, "cube");
    return this.registry.transaction(() => {
      const r = this.registry.insertCube({ cube_id: cubeId, name: options.name, owner, path: resolve(dir) });
      if (!this.registry.getUser(owner)?.default_cube) this.registry.setDefaultCube(owner, cubeId);
      return r;
    });
  }

  /** Forget a cube; its directory is deleted only when it lives in this home's `cubes/`. */
  async removeCube(cubeId: string): Promise<void> {
    const entry = this.registry.getCube(cubeId);
    if (!entry) return;
    this.registry.deleteCube(cubeId);
    if (!isAbsolute(entry.path)) rmSync(this.cubeDir(entry), { recursive: true, force: true });
  }

  /** Forget a cube and keep its directory (MemOS's unregister). */
  unregisterCube(cubeId: string): boolean {
    return this.registry.deleteCube(cubeId);
  }

  /**
   * Where the user's writes go when no cube is named. A guest has none (AccessDeniedError: they
   * may not write); a user whose default cube was unregistered gets a NotFoundError with a hint.
   */
  defaultCubeOf(user: string): string {
    const record = requireUser(this.registry, user);
    if (record.default_cube) return record.default_cube;
    if (record.role === "guest") {
      throw new AccessDeniedError({
        message: `guest "${user}" may not write: guests own no cubes and only read cubes shared with them`,
        hint: "ask an admin for a user account",
      });
    }
    throw new NotFoundError({
      message: `user "${user}" has no default cube`,
      hint: `name one with --cube, or create one: memos cube create default --user ${user}`,
    });
  }

  /** Cubes the user reads when naming none: owned and shared with them (see `scopeCubes`). */
  readableCubes(user: string): string[] {
    return scopeCubes(this.registry, user, "read").map((c) => c.cube_id);
  }

  /**
   * The cube id, when `user` may do `action` (default "read") to it: NotFoundError for an unknown
   * cube, AccessDeniedError (exit 3) when the ACL says no.
   */
  requireCube(cubeId: string, user: string, action: Action = "read"): string {
    return requireCubeAccess(this.registry, user, cubeId, action).cube_id;
  }

  /** The absolute directory of a registered cube. */
  cubeDir(cube: string | CubeRecord): string {
    const entry = typeof cube === "string" ? this.registry.getCube(cube) : cube;
    if (!entry)
      throw new NotFoundError({
        message: `no cube "${String(cube)}"`,
        hint: "list cubes with `memos cube list`",
      });
    return isAbsolute(entry.path) ? entry.path : join(this.dir, entry.path);
  }

  /** Open a registered cube (no ACL check: callers pass an id `requireCube` returned). */
  async openCube(cubeId: string, options: { llm?: LanguageModel } = {}): Promise<MemCube> {
    return MemCube.open(this.cubeDir(cubeId), { llm: options.llm });
  }

  close(): void {
    this.registry.close();
  }
}

/** Staging directories of `leaf` left by processes that are gone (a crashed load). */
function removeStaleStaging(staging: string, leaf: string): void {
  if (!existsSync(staging)) return;
  for (const name of readdirSync(staging)) {
    const m = /^(.*)\.(\d+)\.(\d+)$/.exec(name);
    if (!m || m[1] !== leaf) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && isAlive(pid)) continue;
    rmSync(join(staging, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Open (or create) the registry and import a foundation-era `memos.json` once, if one is there. */
function openRegistry(dir: string, create: boolean): Registry {
  const registry = Registry.open(dir, { create });
  try {
    migrateJsonRegistry(registry, dir);
  } catch (error) {
    registry.close();
    throw error;
  }
  return registry;
}
