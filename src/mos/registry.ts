import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ConfigError } from "../core/errors/config-error.js";
import { errorMessage } from "../core/errors/error-message.js";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import { StorageError } from "../core/errors/storage-error.js";
import { nowIso } from "../core/time.js";
import { ChatHistoryStore } from "./chat-history.js";
import { checkHomeDir } from "./home-dir.js";
import { migrateRegistry, REGISTRY_SCHEMA_VERSION } from "./registry-schema.js";
import type { Permission, Role } from "./roles.js";

/** The foundation's registry file, replaced by registry.db (imported by `migrateJsonRegistry`). */
export const JSON_REGISTRY_FILE = "memos.json";

/**
 * A database handle whose SQLite failures (a damaged or foreign file, a full disk) come out as
 * StorageError naming the file and what to do, instead of a raw "database disk image is
 * malformed" from somewhere in the registry. Statements are wrapped as they are prepared.
 */
function guardDatabase(db: Database.Database, path: string): Database.Database {
  const wrap = <F extends (...args: never[]) => unknown>(fn: F, self: unknown): F =>
    ((...args: never[]) => {
      try {
        return fn.apply(self, args);
      } catch (error) {
        throw registryError(error, path);
      }
    }) as F;
  return new Proxy(db, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (key === "prepare")
        return wrap(
          (...args: Parameters<Database.Database["prepare"]>) =>
            new Proxy(target.prepare(...args), {
              get(stmt, k) {
                const v = Reflect.get(stmt, k);
                return typeof v === "function" && ["run", "get", "all", "iterate"].includes(String(k))
                  ? wrap(v as (...a: never[]) => unknown, stmt)
                  : v;
              },
            }),
          target,
        );
      if (key === "pragma" || key === "exec") return wrap(value as (...a: never[]) => unknown, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A SQLite failure of the registry as a StorageError naming the file; anything else as it is. */
function registryError(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  const damaged = code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB");
  return new StorageError({
    message: `the registry ${path} ${damaged ? "is damaged" : "failed"}: ${errorMessage(error)} (${code})`,
    hint: damaged
      ? `restore ${path} from a backup; or move it aside, run \`memos init\` and \`memos load\` your cube dumps (\`memos doctor\` checks every database)`
      : "check the disk and the file's permissions, then retry",
    cause: error,
  });
}

/** The registry database inside MEMOS_HOME. */
export const REGISTRY_FILE = "registry.db";

/** A user of a home (MemOS's `User`: user_id, user_name → name, role, created_at). */
export interface UserRecord {
  user_id: string;
  name: string;
  role: Role;
  created_at: string;
  /** Where writes go when no cube is named; null for guests (they own no cube). */
  default_cube: string | null;
  /** Hash of the user's API key (issued by the server); the key itself is never stored. */
  api_key_hash: string | null;
}

/** A registered cube (MemOS's `Cube`: cube_id, cube_name → name, owner_id → owner, cube_path → path). */
export interface CubeRecord {
  cube_id: string;
  name: string;
  owner: string;
  /** Relative to the home directory for cubes made here; absolute for cubes registered from elsewhere. */
  path: string;
  created_at: string;
}

/** One user's access to a cube they do not own. */
export interface ShareRecord {
  cube_id: string;
  user_id: string;
  permission: Permission;
  created_at: string;
}

/**
 * MEMOS_HOME/registry.db: users, cubes and shares (and chat history), in SQLite with WAL so a
 * CLI command, a server and a worker can share one home. Every change is one transaction.
 * A home still holding the foundation's `memos.json` is migrated on open (see migrate-json.ts).
 *
 * This class stores facts and checks nothing: access decisions live in `acl.ts`, and callers go
 * through `MemosHome` / `MOS`, which apply them.
 *
 * @example
 * const registry = Registry.open("./.memos", { create: true });
 * registry.insertUser({ user_id: "alice", name: "alice", role: "root" });
 * registry.listUsers(); // [{ user_id: "alice", role: "root", ... }]
 * registry.close();
 */
export class Registry {
  /** Chat history per user and session, kept in the same database. */
  readonly chat: ChatHistoryStore;

  private constructor(
    readonly dir: string,
    private readonly db: Database.Database,
  ) {
    this.chat = new ChatHistoryStore(db);
  }

  /** Whether `dir` holds a home (a registry database, or a `memos.json` to migrate). */
  static exists(dir: string): boolean {
    return existsSync(join(dir, REGISTRY_FILE)) || existsSync(join(dir, JSON_REGISTRY_FILE));
  }

  /**
   * Open the registry of a home. Without `create`, a directory that holds no home is a
   * NotFoundError telling how to make one.
   */
  static open(dir: string, options: { create?: boolean } = {}): Registry {
    checkHomeDir(dir, { create: Boolean(options.create) });
    if (!options.create && !Registry.exists(dir)) {
      throw new NotFoundError({
        message: `no MemOS home at ${dir}`,
        hint: `run \`memos init --dir ${dir}\` first`,
      });
    }
    mkdirSync(dir, { recursive: true });
    let db: Database.Database;
    const path = join(dir, REGISTRY_FILE);
    try {
      db = guardDatabase(new Database(path), path);
    } catch (cause) {
      throw new StorageError({
        message: `cannot open ${join(dir, REGISTRY_FILE)}`,
        hint: "check the directory's permissions",
        cause,
      });
    }
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      const version = db.pragma("user_version", { simple: true }) as number;
      if (version > REGISTRY_SCHEMA_VERSION) {
        throw new ConfigError({
          message: `${join(dir, REGISTRY_FILE)} was written by a newer MemOS-TS (schema ${version}, this one knows ${REGISTRY_SCHEMA_VERSION})`,
          hint: "upgrade memos-ts",
        });
      }
      migrateRegistry(db);
      return new Registry(dir, db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Run `fn` in one IMMEDIATE transaction (the write lock is taken at the start, so a
   * read-then-write inside cannot race another process). Nested calls join the outer one.
   */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.db.transaction(fn).immediate();
  }

  // ---- meta ----

  getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(key, value);
  }

  /** The user commands act as when none is named: the first user `memos init` made. */
  get defaultUser(): string | undefined {
    return this.getMeta("default_user");
  }

  // ---- users ----

  getUser(userId: string): UserRecord | undefined {
    return this.db.prepare("SELECT * FROM users WHERE user_id = ?").get(userId) as UserRecord | undefined;
  }

  listUsers(): UserRecord[] {
    return this.db.prepare("SELECT * FROM users ORDER BY user_id").all() as UserRecord[];
  }

  /** Insert a user; an existing id is an InvalidInputError. */
  insertUser(user: { user_id: string; name?: string; role: Role; created_at?: string }): UserRecord {
    const record: UserRecord = {
      user_id: user.user_id,
      name: user.name ?? user.user_id,
      role: user.role,
      created_at: user.created_at ?? nowIso(),
      default_cube: null,
      api_key_hash: null,
    };
    this.transaction(() => {
      if (this.getUser(record.user_id)) {
        throw new InvalidInputError({
          message: `user "${record.user_id}" exists`,
          hint: "pick another name",
        });
      }
      this.db
        .prepare(
          "INSERT INTO users (user_id, name, role, created_at) VALUES (@user_id, @name, @role, @created_at)",
        )
        .run(record);
      if (!this.defaultUser) this.setMeta("default_user", record.user_id);
    });
    return record;
  }

  /**
   * Remove a user with their shares and chat history (used to undo a failed `addUser`); cubes
   * they own must be removed first.
   */
  deleteUser(userId: string): boolean {
    return this.transaction(() => {
      const gone = this.db.prepare("DELETE FROM users WHERE user_id = ?").run(userId).changes > 0;
      if (gone && this.defaultUser === userId)
        this.db.prepare("DELETE FROM meta WHERE key = 'default_user'").run();
      return gone;
    });
  }

  setDefaultCube(userId: string, cubeId: string | null): void {
    this.db.prepare("UPDATE users SET default_cube = ? WHERE user_id = ?").run(cubeId, userId);
  }

  setRole(userId: string, role: Role): void {
    this.db.prepare("UPDATE users SET role = ? WHERE user_id = ?").run(role, userId);
  }

  /** Store (or clear, with null) the hash of a user's API key. */
  setApiKeyHash(userId: string, hash: string | null): void {
    this.db.prepare("UPDATE users SET api_key_hash = ? WHERE user_id = ?").run(hash, userId);
  }

  userByApiKeyHash(hash: string): UserRecord | undefined {
    return this.db.prepare("SELECT * FROM users WHERE api_key_hash = ?").get(hash) as UserRecord | undefined;
  }

  // ---- cubes ----

  getCube(cubeId: string): CubeRecord | undefined {
    return this.db.prepare("SELECT * FROM cubes WHERE cube_id = ?").get(cubeId) as CubeRecord | undefined;
  }

  listCubes(): CubeRecord[] {
    return this.db.prepare("SELECT * FROM cubes ORDER BY cube_id").all() as CubeRecord[];
  }

  cubesOwnedBy(userId: string): CubeRecord[] {
    return this.db
      .prepare("SELECT * FROM cubes WHERE owner = ? ORDER BY cube_id")
      .all(userId) as CubeRecord[];
  }

  /** Insert a cube; an existing id is an InvalidInputError, an unknown owner a NotFoundError. */
  insertCube(cube: {
    cube_id: string;
    name?: string;
    owner: string;
    path: string;
    created_at?: string;
  }): CubeRecord {
    const record: CubeRecord = {
      cube_id: cube.cube_id,
      name: cube.name ?? cube.cube_id,
      owner: cube.owner,
      path: cube.path,
      created_at: cube.created_at ?? nowIso(),
    };
    this.transaction(() => {
      if (this.getCube(record.cube_id)) {
        throw new InvalidInputError({
          message: `cube "${record.cube_id}" exists`,
          hint: "pick another name",
        });
      }
      if (!this.getUser(record.owner)) {
        throw new NotFoundError({
          message: `no user "${record.owner}"`,
          hint: "create the user first: memos user add NAME",
        });
      }
      this.db
        .prepare(
          "INSERT INTO cubes (cube_id, name, owner, path, created_at) VALUES (@cube_id, @name, @owner, @path, @created_at)",
        )
        .run(record);
    });
    return record;
  }

  /** Forget a cube: its shares go with it and users whose default it was get none. */
  deleteCube(cubeId: string): boolean {
    return this.db.prepare("DELETE FROM cubes WHERE cube_id = ?").run(cubeId).changes > 0;
  }

  // ---- shares ----

  /** Grant (or change) a user's access to a cube. */
  upsertShare(cubeId: string, userId: string, permission: Permission): ShareRecord {
    const record: ShareRecord = { cube_id: cubeId, user_id: userId, permission, created_at: nowIso() };
    this.db
      .prepare(
        `INSERT INTO shares (cube_id, user_id, permission, created_at) VALUES (@cube_id, @user_id, @permission, @created_at)
         ON CONFLICT(cube_id, user_id) DO UPDATE SET permission = excluded.permission`,
      )
      .run(record);
    return this.getShare(cubeId, userId) ?? record;
  }

  deleteShare(cubeId: string, userId: string): boolean {
    return (
      this.db.prepare("DELETE FROM shares WHERE cube_id = ? AND user_id = ?").run(cubeId, userId).changes > 0
    );
  }

  getShare(cubeId: string, userId: string): ShareRecord | undefined {
    return this.db.prepare("SELECT * FROM shares WHERE cube_id = ? AND user_id = ?").get(cubeId, userId) as
      | ShareRecord
      | undefined;
  }

  /** Who a cube is shared with. */
  sharesOfCube(cubeId: string): ShareRecord[] {
    return this.db
      .prepare("SELECT * FROM shares WHERE cube_id = ? ORDER BY user_id")
      .all(cubeId) as ShareRecord[];
  }

  /** Which cubes are shared with a user. */
  sharesForUser(userId: string): ShareRecord[] {
    return this.db
      .prepare("SELECT * FROM shares WHERE user_id = ? ORDER BY cube_id")
      .all(userId) as ShareRecord[];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
