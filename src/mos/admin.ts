import { resolve } from "node:path";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import type { CubeTextBackend } from "../cube/config.js";
import { type MemCube, readCubeConfig } from "../cube/mem-cube.js";
import { allowedActions, authorizeCubeCreation, authorizeUserCreation } from "./acl.js";
import type { MosCore } from "./context.js";
import { checkDirAccess } from "./cube-dirs.js";
import { accessibleCubes, aclCube, requireCubeAccess, requireUser, resolveCubeId } from "./guard.js";
import { checkName, checkNamespace, cubeIdFor } from "./names.js";
import type { ShareRecord, UserRecord } from "./registry.js";
import { type Action, Permission, Role } from "./roles.js";

/** A user as MemOS's `list_users` reports one (plus our default cube). */
export interface UserInfo {
  user_id: string;
  user_name: string;
  role: Role;
  created_at: string;
  is_active: boolean;
  default_cube: string | null;
}

/** A cube as one user sees it. */
export interface CubeInfo {
  cube_id: string;
  name: string;
  owner: string;
  /** Absolute directory. */
  path: string;
  created_at: string;
  /** How this user reaches it: as owner, through a share, or as root/admin. */
  access: "owner" | "write" | "read" | "admin";
  /** What this user may do to it (see acl.ts). */
  actions: readonly Action[];
  /** Who it is shared with; listed only to users who may share it. */
  shared_with?: ShareRecord[];
}

/** Only root and admins create users; only root creates admins; nobody creates a second root. */
/** A user and the cubes they can read, as MemOS's `get_user_info` returns them. */
export interface UserDetails {
  user_id: string;
  user_name: string;
  role: string;
  created_at: string;
  accessible_cubes: CubeInfo[];
}

/** {@link UserDetails} of `userId` (NotFoundError for an unknown user). */
export function userDetails(core: MosCore, userId: string): UserDetails {
  const user = requireUser(core.home.registry, userId);
  return {
    user_id: user.user_id,
    user_name: user.name,
    role: user.role,
    created_at: user.created_at,
    accessible_cubes: listCubes(core, userId),
  };
}

export async function createUser(
  core: MosCore,
  actingUser: string,
  userId: string,
  options: { role?: string; name?: string } = {},
): Promise<UserRecord> {
  const role = parseRole(options.role ?? "user");
  authorizeUserCreation(requireUser(core.home.registry, actingUser), role);
  await core.home.addUser(userId, { role, displayName: options.name });
  return requireUser(core.home.registry, userId);
}

export function listUsers(core: MosCore): UserInfo[] {
  return core.home.registry.listUsers().map((u) => ({
    user_id: u.user_id,
    user_name: u.name,
    role: u.role,
    created_at: u.created_at,
    is_active: true,
    default_cube: u.default_cube,
  }));
}

/**
 * A new cube named `cubeName` owned by `owner` (id `owner/cubeName` unless the name holds a
 * "/" or `cubeId` is given). The owner, or root/an admin for anyone; guests own none.
 */
export async function createCubeForUser(
  core: MosCore,
  actingUser: string,
  cubeName: string,
  owner: string,
  options: { cubeId?: string; textBackend?: CubeTextBackend } = {},
): Promise<string> {
  const registry = core.home.registry;
  authorizeCubeCreation(requireUser(registry, actingUser), requireUser(registry, owner));
  const cubeId = checkName(options.cubeId ?? cubeIdFor(cubeName, owner), "cube");
  checkNamespace(cubeId, owner);
  const cube = await core.home.createCube(cubeId, owner, {
    name: cubeName,
    textBackend: options.textBackend,
    llm: core.llm,
  });
  core.pool.adopt(cubeId, cube);
  return cubeId;
}

/**
 * Register a cube directory (or an open MemCube, which the MOS then owns and closes) for
 * `userId`, who owns it. A directory that already belongs to a registered cube gives that cube's
 * id, if the user may read it; it never becomes a second way into someone else's cube.
 */
export async function registerMemCube(
  core: MosCore,
  userId: string,
  pathOrCube: string | MemCube,
  options: { cubeId?: string } = {},
): Promise<string> {
  const registry = core.home.registry;
  const user = requireUser(registry, userId);
  const dir = typeof pathOrCube === "string" ? resolve(pathOrCube) : pathOrCube.dir;
  const existing = checkDirAccess(core.home, userId, dir);
  if (existing) return existing.cube_id;
  const config = typeof pathOrCube === "string" ? readCubeConfig(dir) : pathOrCube.config;
  const cubeId = checkName(options.cubeId ?? config.cube_id, "cube");
  checkNamespace(cubeId, user.user_id);
  if (registry.getCube(cubeId)) {
    throw new InvalidInputError({
      message: `cube id "${cubeId}" is taken by another cube`,
      hint: "register it under another id (cubeId / --cube)",
    });
  }
  authorizeCubeCreation(user, user);
  core.home.registerCube(cubeId, userId, dir);
  if (typeof pathOrCube !== "string") core.pool.adopt(cubeId, pathOrCube);
  return cubeId;
}

/** Forget a cube (its directory stays): the `manage` action, so its owner or root/an admin. */
export async function unregisterMemCube(core: MosCore, userId: string, cubeId: string): Promise<void> {
  const { cube_id } = requireCubeAccess(core.home.registry, userId, cubeId, "manage");
  await core.pool.evict(cube_id);
  core.home.unregisterCube(cube_id);
}

/** Grant `targetUser` read or write access: the `share` action, so the owner or root/an admin. */
export function shareCube(
  core: MosCore,
  actingUser: string,
  cubeId: string,
  targetUser: string,
  permission: string = "read",
): ShareRecord {
  const registry = core.home.registry;
  const cube = requireCubeAccess(registry, actingUser, cubeId, "share");
  const perm = parsePermission(permission);
  const target = requireUser(registry, targetUser);
  if (target.user_id === cube.owner) {
    throw new InvalidInputError({
      message: `"${target.user_id}" owns cube "${cube.cube_id}" already`,
      hint: "share it with another user",
    });
  }
  return registry.upsertShare(cube.cube_id, target.user_id, perm);
}

/** Revoke a share (the `share` action). Returns whether there was one. */
export function unshareCube(core: MosCore, actingUser: string, cubeId: string, targetUser: string): boolean {
  const { cube_id } = requireCubeAccess(core.home.registry, actingUser, cubeId, "share");
  return core.home.registry.deleteShare(cube_id, targetUser);
}

/**
 * Leave a cube someone shared with `userId`: their share is removed, so the cube's failures and
 * memories no longer reach their searches and chats. Returns the cube id. Owners cannot leave
 * their own cube (NotFoundError-free: InvalidInputError saying to unregister it instead).
 */
export function leaveCube(core: MosCore, userId: string, cubeName: string): string {
  const registry = core.home.registry;
  requireUser(registry, userId);
  const cubeId = resolveCubeId(registry, userId, cubeName);
  const cube = registry.getCube(cubeId);
  if (cube?.owner === userId) {
    throw new InvalidInputError({
      message: `"${userId}" owns cube "${cubeId}" and cannot leave it`,
      hint: `unregister it instead: memos cube unregister ${cubeId}`,
    });
  }
  if (!cube || !registry.deleteShare(cubeId, userId)) {
    const shared = registry.sharesForUser(userId).map((s) => s.cube_id);
    throw new NotFoundError({
      message: `no cube "${cubeId}" is shared with "${userId}"`,
      hint: `cubes shared with ${userId}: ${shared.join(", ") || "(none)"}`,
    });
  }
  return cubeId;
}

/** Every cube the user may read (own and shared first; for root/admins the rest too), with their access. */
export function listCubes(core: MosCore, userId: string): CubeInfo[] {
  const registry = core.home.registry;
  const user = requireUser(registry, userId);
  return accessibleCubes(registry, userId, "read").map((c) => {
    const acl = aclCube(registry, user, c);
    const actions = allowedActions(user, acl);
    // A guest's write share still only reads, so it shows as "read".
    const access: CubeInfo["access"] =
      c.owner === userId
        ? "owner"
        : isAdmin(user)
          ? "admin"
          : user.role === "guest"
            ? "read"
            : (acl.share ?? "read");
    return {
      cube_id: c.cube_id,
      name: c.name,
      owner: c.owner,
      path: core.home.cubeDir(c),
      created_at: c.created_at,
      access,
      actions,
      ...(actions.includes("share") ? { shared_with: registry.sharesOfCube(c.cube_id) } : {}),
    };
  });
}

function isAdmin(user: UserRecord): boolean {
  return user.role === "root" || user.role === "admin";
}

function parseRole(role: string): Role {
  const parsed = Role.safeParse(role);
  if (!parsed.success)
    throw new InvalidInputError({
      message: `unknown role "${role}"`,
      hint: `roles: ${Role.options.join(", ")}`,
    });
  return parsed.data;
}

function parsePermission(permission: string): Permission {
  const parsed = Permission.safeParse(permission);
  if (!parsed.success)
    throw new InvalidInputError({ message: `unknown permission "${permission}"`, hint: "use read or write" });
  return parsed.data;
}
