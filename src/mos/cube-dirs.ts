import { existsSync, realpathSync } from "node:fs";
import { resolve, sep } from "node:path";
import { AccessDeniedError } from "../core/errors/access-denied-error.js";
import { isAllowed } from "./acl.js";
import { aclCube, requireUser } from "./guard.js";
import type { MemosHome } from "./home.js";
import type { CubeRecord } from "./registry.js";

/** A path with symlinks resolved where it exists, so two spellings of one directory compare equal. */
function canonical(path: string): string {
  const abs = resolve(path);
  return existsSync(abs) ? realpathSync(abs) : abs;
}

/** The registered cube whose directory is `dir` or holds it, if any. */
export function cubeOwningDir(home: MemosHome, dir: string): CubeRecord | undefined {
  const target = canonical(dir);
  return home.registry.listCubes().find((c) => {
    const root = canonical(home.cubeDir(c));
    return target === root || target.startsWith(root + sep);
  });
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
