import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import { nowIso } from "../core/time.js";
import { MemCube } from "../cube/mem-cube.js";
import { writeFileAtomic } from "../memory/textual/persist.js";
import { embedderConfigFromEnv } from "../providers/from-env.js";

const REGISTRY_FILE = "memos.json";
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@/-]{0,127}$/;

const Registry = z.object({
  version: z.literal(1),
  default_user: z.string(),
  users: z.record(z.string(), z.object({ default_cube: z.string(), created_at: z.string() })),
  cubes: z.record(z.string(), z.object({ owner: z.string(), path: z.string(), created_at: z.string() })),
});
type Registry = z.infer<typeof Registry>;

/**
 * MEMOS_HOME: the registry of users and their cubes, and the cubes' directories
 * (`cubes/<cube>/`). The foundation keeps the registry in one JSON file written atomically;
 * roles and sharing arrive with MOS.
 */
export class MemosHome {
  private constructor(
    readonly dir: string,
    private registry: Registry,
  ) {}

  /** `--dir`, else $MEMOS_HOME, else ./.memos */
  static resolveDir(dir?: string): string {
    return resolve(dir ?? process.env.MEMOS_HOME ?? ".memos");
  }

  /** Create a home with user `user` and its cube "<user>/default"; idempotent for an existing home. */
  static async init(dir: string, options: { user?: string } = {}): Promise<{ home: MemosHome; created: boolean }> {
    const user = checkName(options.user ?? "default", "user");
    if (existsSync(join(dir, REGISTRY_FILE))) {
      const home = MemosHome.open(dir);
      if (!home.registry.users[user]) await home.addUser(user);
      return { home, created: false };
    }
    mkdirSync(dir, { recursive: true });
    const home = new MemosHome(dir, { version: 1, default_user: user, users: {}, cubes: {} });
    await home.addUser(user);
    return { home, created: true };
  }

  static open(dir: string): MemosHome {
    const path = join(dir, REGISTRY_FILE);
    if (!existsSync(path)) {
      throw new NotFoundError({ message: `no MemOS home at ${dir}`, hint: `run \`memos init --dir ${dir}\` first` });
    }
    const parsed = Registry.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (!parsed.success) {
      throw new InvalidInputError({ message: `${path} is damaged`, hint: "restore it from a backup" });
    }
    return new MemosHome(dir, parsed.data);
  }

  get defaultUser(): string {
    return this.registry.default_user;
  }

  users(): string[] {
    return Object.keys(this.registry.users).sort();
  }

  /** The user, or NotFoundError naming the known ones. */
  requireUser(name = this.defaultUser): string {
    if (!this.registry.users[name]) {
      throw new NotFoundError({ message: `no user "${name}"`, hint: `known users: ${this.users().join(", ")}` });
    }
    return name;
  }

  /** A new user with a default cube "<user>/default". */
  async addUser(name: string): Promise<string> {
    checkName(name, "user");
    if (this.registry.users[name]) throw new InvalidInputError({ message: `user "${name}" exists`, hint: "pick another name" });
    const cubeId = `${name}/default`;
    await this.createCube(cubeId, name, { skipSave: true });
    this.registry.users[name] = { default_cube: cubeId, created_at: nowIso() };
    this.save();
    return name;
  }

  /** Create a cube owned by `owner` (its directory under cubes/). */
  async createCube(cubeId: string, owner: string, options: { skipSave?: boolean } = {}): Promise<MemCube> {
    checkName(cubeId, "cube");
    if (this.registry.cubes[cubeId]) throw new InvalidInputError({ message: `cube "${cubeId}" exists`, hint: "pick another name" });
    const path = join("cubes", cubeId.replaceAll("/", "__"));
    // New cubes embed with MEMOS_EMBEDDER when set; a cube keeps its embedder for life.
    const cube = await MemCube.create(join(this.dir, path), { cubeId, userId: owner, embedder: embedderConfigFromEnv() });
    this.registry.cubes[cubeId] = { owner, path, created_at: nowIso() };
    if (!options.skipSave) this.save();
    return cube;
  }

  /** Forget a cube and delete its directory (used to undo a failed import). */
  async removeCube(cubeId: string): Promise<void> {
    const entry = this.registry.cubes[cubeId];
    if (!entry) return;
    delete this.registry.cubes[cubeId];
    this.save();
    rmSync(join(this.dir, entry.path), { recursive: true, force: true });
  }

  defaultCubeOf(user: string): string {
    return (this.registry.users[this.requireUser(user)] as { default_cube: string }).default_cube;
  }

  /** Cubes the user may read: the ones they own (sharing comes with MOS). */
  readableCubes(user: string): string[] {
    this.requireUser(user);
    return Object.entries(this.registry.cubes)
      .filter(([, c]) => c.owner === user)
      .map(([id]) => id)
      .sort();
  }

  /** The cube, or NotFoundError. Readers and writers of a cube must own it. */
  requireCube(cubeId: string, user: string): string {
    const entry = this.registry.cubes[cubeId];
    if (!entry || entry.owner !== this.requireUser(user)) {
      throw new NotFoundError({
        message: `no cube "${cubeId}" for user "${user}"`,
        hint: `cubes of ${user}: ${this.readableCubes(user).join(", ") || "(none)"}`,
      });
    }
    return cubeId;
  }

  async openCube(cubeId: string): Promise<MemCube> {
    const entry = this.registry.cubes[cubeId];
    if (!entry) throw new NotFoundError({ message: `no cube "${cubeId}"`, hint: "list cubes with `memos cube list`" });
    return MemCube.open(join(this.dir, entry.path));
  }

  private save(): void {
    writeFileAtomic(join(this.dir, REGISTRY_FILE), JSON.stringify(this.registry, null, 2));
  }
}

function checkName(name: string, what: string): string {
  if (!NAME.test(name) || name.includes("..")) {
    throw new InvalidInputError({
      message: `invalid ${what} name "${name}"`,
      hint: "use letters, digits and . _ - @ / (at most 128 characters)",
    });
  }
  return name;
}
