import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import { type AclCube, authorize, isAllowed } from "./acl.js";
import type { CubeRecord, Registry, UserRecord } from "./registry.js";
import type { Action } from "./roles.js";

/**
 * Registry lookups feeding `authorize`: every entry point resolves its user and cubes here, so
 * no path reaches a cube without the ACL's say.
 */

/** The user, or a NotFoundError naming the known ones. */
export function requireUser(registry: Registry, userId: string): UserRecord {
  const user = registry.getUser(userId);
  if (!user) {
    const known = registry.listUsers().map((u) => u.user_id);
    throw new NotFoundError({
      message: `no user "${userId}"`,
      hint: `known users: ${known.join(", ") || "(none)"}`,
    });
  }
  return user;
}

/** The ACL's view of a cube for one user: owner and that user's share. */
export function aclCube(registry: Registry, user: UserRecord, cube: CubeRecord): AclCube {
  return {
    cube_id: cube.cube_id,
    owner: cube.owner,
    share: registry.getShare(cube.cube_id, user.user_id)?.permission ?? null,
  };
}

/**
 * The one way a cube name becomes an id, in every command and call: a name holding "/" is an
 * id; a short name means the acting user's own cube `user/name`, else the one cube shared with
 * them of that name (two such: InvalidInputError listing them), else a cube whose id is exactly
 * the name (MemOS-style ids). Unknown names come back as `user/name`, so "no cube" names what
 * was looked for.
 *
 * @example
 * resolveCubeId(registry, "alice", "notes");     // "alice/notes", or "carol/notes" shared with alice
 * resolveCubeId(registry, "alice", "bob/notes"); // "bob/notes" (access is checked by the caller)
 */
export function resolveCubeId(registry: Registry, userId: string, name: string): string {
  if (typeof name !== "string" || name.includes("/")) return name;
  const own = `${userId}/${name}`;
  if (registry.getCube(own)) return own;
  const shared = registry
    .sharesForUser(userId)
    .map((s) => registry.getCube(s.cube_id))
    .filter((c): c is CubeRecord => c !== undefined)
    .filter((c) => c.name === name || c.cube_id.slice(c.cube_id.indexOf("/") + 1) === name);
  const [only, second] = shared;
  if (only && !second) return only.cube_id;
  if (only && second) {
    throw new InvalidInputError({
      message: `cube name "${name}" is ambiguous for user "${userId}": ${shared.map((c) => c.cube_id).join(", ")}`,
      hint: "use the full cube id (owner/name)",
    });
  }
  if (registry.getCube(name)) return name;
  return own;
}

/**
 * The cube, when `userId` may do `action` to it (`cubeId` is a name or an id, see
 * `resolveCubeId`). An unknown cube is a NotFoundError; a known one the user may not touch is an
 * AccessDeniedError (from `authorize`).
 */
export function requireCubeAccess(
  registry: Registry,
  userId: string,
  cubeId: string,
  action: Action,
): CubeRecord {
  const user = requireUser(registry, userId);
  const cube = registry.getCube(resolveCubeId(registry, userId, cubeId));
  if (!cube) {
    const mine = scopeCubes(registry, userId).map((c) => c.cube_id);
    throw new NotFoundError({
      message: `no cube "${cubeId}"`,
      hint: `cubes ${userId} can read: ${mine.join(", ") || "(none)"}`,
    });
  }
  authorize(user, aclCube(registry, user, cube), action);
  return cube;
}

/**
 * The cubes a user works with when naming none: the ones they own and the ones shared with them
 * (MemOS's "user cubes"), those allowing `action`. Root and admins may act on any cube, but only
 * when they name it: their searches and chats are not flooded with everyone's memories.
 */
export function scopeCubes(registry: Registry, userId: string, action: Action = "read"): CubeRecord[] {
  const user = requireUser(registry, userId);
  const cubes = new Map<string, CubeRecord>();
  for (const c of registry.cubesOwnedBy(userId)) cubes.set(c.cube_id, c);
  for (const s of registry.sharesForUser(userId)) {
    const c = registry.getCube(s.cube_id);
    if (c) cubes.set(c.cube_id, c);
  }
  return [...cubes.values()]
    .filter((c) => isAllowed(user, aclCube(registry, user, c), action))
    .sort((a, b) => a.cube_id.localeCompare(b.cube_id));
}

/**
 * Every cube the user may do `action` to: their scope first, then (for root and admins) the
 * rest of the home. Memory-level calls (get, update, delete by id) look for the memory here only.
 */
export function accessibleCubes(registry: Registry, userId: string, action: Action = "read"): CubeRecord[] {
  const user = requireUser(registry, userId);
  const scope = scopeCubes(registry, userId, action);
  const seen = new Set(scope.map((c) => c.cube_id));
  const rest = registry
    .listCubes()
    .filter((c) => !seen.has(c.cube_id) && isAllowed(user, aclCube(registry, user, c), action));
  return [...scope, ...rest];
}
