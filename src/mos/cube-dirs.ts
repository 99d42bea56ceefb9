import { existsSync, realpathSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { AccessDeniedError } from "../core/errors/access-denied-error.js";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { isAllowed } from "./acl.js";
import { aclCube, requireUser } from "./guard.js";
import type { MemosHome } from "./home.js";
import type { CubeRecord } from "./registry.js";

/**
 * A path with symlinks resolved as far as it exists (its nearest existing ancestor, then the
 * rest), so two spellings of one directory compare equal even before it is created.
 */
function canonical(path: string): string {
  const abs = resolve(path);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : resolve(canonical(parent), abs.slice(parent.length + 1));
}

const within = (target: string, root: string) => target === root || target.startsWith(root + sep);

/**
 * Where a dump may not write: anywhere inside MEMOS_HOME (the registry and every cube made there
 * live in it) and inside any registered cube's directory, wherever it is. Writing there replaced
 * another user's config.json. Throws InvalidInputError naming why.
 */
export function checkDumpTarget(home: MemosHome, dir: string): void {
  const target = canonical(dir);
  const homeDir = canonical(home.dir);
  if (within(target, homeDir)) {
    throw new InvalidInputError({
      message: `refusing to dump into ${dir}: it is inside MEMOS_HOME (${home.dir}), where the registry and the cubes live`,
      hint: "dump to a directory outside MEMOS_HOME",
    });
  }
  const cube = home.registry.listCubes().find((c) => within(target, canonical(home.cubeDir(c))));
  if (cube) {
    throw new InvalidInputError({
      message: `refusing to dump into ${dir}: it belongs to the registered cube "${cube.cube_id}"`,
      hint: "dump to a new, empty directory",
    });
  }
}

/** The registered cube whose directory is `dir` or holds it, if any. */
export function cubeOwningDir(home: MemosHome, dir: string): CubeRecord | undefined {
  const target = canonical(dir);
  return home.registry.listCubes().find((c) => within(target, canonical(home.cubeDir(c))));
}

/**
 * Registering or loading a directory must not become a way into someone else's cube: a
 * directory that belongs to a registered cube may be used only by a user who may read that
 * cube. Returns that cube when there is one (and access is allowed).
 */
export function checkDirAccess(home: MemosHome, userId: string, dir: string): CubeRecord | undefined {
  const cube = cubeOwningDir(home, dir);
  if (!cube) return undefined;
  const user = requireUser(home.registry, userId);
  if (!isAllowed(user, aclCube(home.registry, user, cube), "read")) {
    throw new AccessDeniedError({
      message: `user "${userId}" may not use ${dir}: it belongs to cube "${cube.cube_id}", which is neither theirs nor shared with them`,
      hint: `ask its owner "${cube.owner}" to share it`,
    });
  }
  return cube;
}
