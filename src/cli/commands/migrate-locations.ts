import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { InvalidInputError } from "../../core/errors/index.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import { acquirePool } from "../../storage/postgres/driver.js";
import { createPostgresMemoryStore } from "../../storage/postgres/index.js";
import { createSqliteMemoryStore } from "../../storage/sqlite/index.js";

/**
 * Where `memos migrate` reads or writes: a directory of SQLite cube stores, or a PostgreSQL
 * database. Every store is named `<cube>/<store>`: the cube directory's name and the store file's
 * (`memory` for text memory, `preference` for preferences), so a round trip puts each file back
 * where it came from, and in PostgreSQL each is one cube id of the shared tables.
 */
export type Location = { kind: "sqlite"; dir: string } | { kind: "postgres"; url: string; poolSize?: number };

/**
 * `sqlite:DIR` (a MEMOS_HOME with `cubes/<cube>/*.db`, or one cube directory) or `postgres://…`.
 *
 * @example
 * parseLocation("sqlite:.memos") // => {kind: "sqlite", dir: ".memos"}
 */
export function parseLocation(spec: string, what: string): Location {
  if (typeof spec === "string" && /^postgres(ql)?:\/\//.test(spec)) return { kind: "postgres", url: spec };
  if (typeof spec === "string" && spec.startsWith("sqlite:") && spec.length > "sqlite:".length) {
    return { kind: "sqlite", dir: spec.slice("sqlite:".length) };
  }
  throw new InvalidInputError({
    message: `${what} must be sqlite:DIR or postgres://…, got "${spec}"`,
    hint: "e.g. memos migrate --from sqlite:.memos --to postgres://user@localhost/memos",
  });
}

const STORE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Files of a MEMOS_HOME that are not cube stores. */
const NOT_A_STORE = new Set(["registry"]);

function storeFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".db") && STORE_NAME.test(f.slice(0, -3)) && !NOT_A_STORE.has(f.slice(0, -3)))
    .sort();
}

/** The `<cube>/<store>` names at a location. */
export async function listStores(loc: Location): Promise<string[]> {
  if (loc.kind === "postgres") {
    const ref = await acquirePool({ url: loc.url, max: loc.poolSize ?? 1 });
    try {
      const { rows } = await ref.pool.query(
        "SELECT cube_id FROM memos_cubes WHERE to_regclass('memos_cubes') IS NOT NULL ORDER BY cube_id",
      );
      return rows.map((r: { cube_id: string }) => r.cube_id).filter((id: string) => id.includes("/"));
    } catch (error) {
      // A database the store never touched has no memos tables: nothing to migrate from it.
      if ((error as { code?: unknown }).code === "42P01") return [];
      throw error;
    } finally {
      await ref.release();
    }
  }
  const cubesDir = join(loc.dir, "cubes");
  if (existsSync(cubesDir) && statSync(cubesDir).isDirectory()) {
    return readdirSync(cubesDir)
      .filter((c) => !c.startsWith(".") && STORE_NAME.test(c) && statSync(join(cubesDir, c)).isDirectory())
      .sort()
      .flatMap((c) => storeFiles(join(cubesDir, c)).map((f) => `${c}/${f.slice(0, -3)}`));
  }
  // One cube directory.
  const cube = basename(loc.dir);
  return storeFiles(loc.dir).map((f) => `${cube}/${f.slice(0, -3)}`);
}

function splitName(name: string): [string, string] {
  const at = name.lastIndexOf("/");
  const cube = name.slice(0, at);
  const store = name.slice(at + 1);
  if (at <= 0 || !STORE_NAME.test(store) || !STORE_NAME.test(cube.replaceAll("/", "__"))) {
    throw new InvalidInputError({
      message: `"${name}" is not a <cube>/<store> name`,
      hint: "stores are named like default/memory or default/preference",
    });
  }
  return [cube, store];
}

/** Where a named store lives in a SQLite location (a MEMOS_HOME layout unless the source was one cube directory). */
export function sqlitePath(dir: string, name: string): string {
  const [cube, store] = splitName(name);
  if (!existsSync(join(dir, "cubes")) && basename(dir) === cube && existsSync(join(dir, `${store}.db`))) {
    return join(dir, `${store}.db`);
  }
  return join(dir, "cubes", cube.replaceAll("/", "__"), `${store}.db`);
}

/** Open (creating when missing) the named store at a location. */
export async function openStore(loc: Location, name: string, dimensions?: number): Promise<MemoryStore> {
  const dims = dimensions === undefined ? {} : { dimensions };
  if (loc.kind === "postgres") {
    return createPostgresMemoryStore({ url: loc.url, cubeId: name, poolSize: loc.poolSize ?? 1, ...dims });
  }
  return createSqliteMemoryStore({ path: sqlitePath(loc.dir, name), ...dims });
}
