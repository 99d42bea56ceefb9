import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { errorMessage } from "../core/errors/error-message.js";
import { StorageError } from "../core/errors/storage-error.js";
import { accessibleCubes } from "./guard.js";
import type { MemosHome } from "./home.js";
import { REGISTRY_FILE } from "./registry.js";

/** A database file of a home: the registry, or one of a cube's stores. */
export interface HomeDatabase {
  /** "registry", or the cube id. */
  owner: string;
  path: string;
}

/** What SQLite's own check found in one file. */
export interface DatabaseIntegrityReport {
  path: string;
  ok: boolean;
  /** SQLite's first complaints (at most 5), or why the file could not be checked. */
  problems: string[];
}

/** What to do about a damaged database, by kind. */
export function repairHint(owner: string, path: string): string {
  return owner === "registry"
    ? `restore ${path} from a backup; or move it aside, run \`memos init\` and \`memos load\` your cube dumps`
    : `restore the cube from a \`memos dump\` export (memos load), or salvage it with \`sqlite3 ${path} .recover\``;
}

/**
 * Run SQLite's `PRAGMA quick_check` (or the slower, index-verifying `integrity_check` with
 * `full`) on a database file, read-only. A file SQLite cannot even open as a database is
 * reported damaged too, never thrown.
 *
 * @example
 * checkDatabase("/home/me/.memos/registry.db"); // { path, ok: true, problems: [] }
 */
export function checkDatabase(path: string, options: { full?: boolean } = {}): DatabaseIntegrityReport {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.pragma(options.full ? "integrity_check(5)" : "quick_check(5)", {
      simple: false,
    }) as Record<string, string>[];
    const problems = rows.map((r) => String(Object.values(r)[0])).filter((m) => m !== "ok");
    return { path, ok: problems.length === 0, problems };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = errorMessage(error);
    return { path, ok: false, problems: [`${message}${typeof code === "string" ? ` (${code})` : ""}`] };
  } finally {
    db?.close();
  }
}

/**
 * The databases a user's doctor run checks: the registry, and the SQLite files (`*.db`) of every
 * cube the user may read (root and admins: every cube).
 */
export function homeDatabases(home: MemosHome, userId: string): HomeDatabase[] {
  const out: HomeDatabase[] = [{ owner: "registry", path: join(home.dir, REGISTRY_FILE) }];
  for (const cube of accessibleCubes(home.registry, userId, "read")) {
    const dir = home.cubeDir(cube);
    if (!existsSync(dir)) continue; // a missing directory is the cube check's to report
    for (const file of readdirSync(dir).sort())
      if (/\.(db|sqlite3?)$/.test(file)) out.push({ owner: cube.cube_id, path: join(dir, file) });
  }
  return out;
}

/** A damaged database as an error naming the file and what to do. */
export function damagedError(db: HomeDatabase, report: DatabaseIntegrityReport): StorageError {
  return new StorageError({
    message: `${db.path} (${db.owner === "registry" ? "the registry" : `cube ${db.owner}`}) is damaged: ${report.problems[0] ?? "integrity check failed"}`,
    hint: repairHint(db.owner, db.path),
  });
}
