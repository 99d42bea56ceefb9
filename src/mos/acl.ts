import { AccessDeniedError } from "../core/errors/access-denied-error.js";
import { type Action, isAdminRole, type Permission, type Role } from "./roles.js";

/** The acting user, as the ACL sees them. */
export interface AclUser {
  user_id: string;
  role: Role;
}

/** A cube, as the ACL sees it: its owner, and the share the acting user holds on it (if any). */
export interface AclCube {
  cube_id: string;
  owner: string;
  /** The acting user's share of this cube; absent when it is not shared with them. */
  share?: Permission | null;
}

const ALL: readonly Action[] = ["read", "write", "delete", "share", "manage"];
const VERB: Record<Action, string> = {
  read: "read",
  write: "write to",
  delete: "delete from",
  share: "share",
  manage: "manage",
};

/**
 * The actions a user may take on a cube. This table is the whole policy:
 *
 * | who                         | read | write | delete | share | manage |
 * |-----------------------------|------|-------|--------|-------|--------|
 * | root / admin (any cube)     |  ✓   |   ✓   |   ✓    |   ✓   |   ✓    |
 * | owner (role user)           |  ✓   |   ✓   |   ✓    |   ✓   |   ✓    |
 * | shared with write           |  ✓   |   ✓   |        |       |        |
 * | shared with read            |  ✓   |       |        |       |        |
 * | guest, shared (read/write)  |  ✓   |       |        |       |        |
 * | anyone else                 |      |       |        |       |        |
 *
 * MemOS declares the roles but never enforces them; here they are enforced. A guest reads
 * what is shared with them and nothing more, even when shared with write or (after a role
 * change) owning the cube.
 *
 * @example
 * allowedActions({ user_id: "bob", role: "user" }, { cube_id: "alice/notes", owner: "alice", share: "write" });
 * // ["read", "write"]
 */
export function allowedActions(user: AclUser, cube: AclCube): readonly Action[] {
  const related = cube.owner === user.user_id || Boolean(cube.share);
  if (user.role === "guest") return related ? ["read"] : [];
  if (isAdminRole(user.role) || cube.owner === user.user_id) return ALL;
  if (cube.share === "write") return ["read", "write"];
  if (cube.share === "read") return ["read"];
  return [];
}

/** Whether `user` may do `action` to `cube` (see {@link allowedActions}). */
export function isAllowed(user: AclUser, cube: AclCube, action: Action): boolean {
  return allowedActions(user, cube).includes(action);
}

/**
 * The single gate every entry point (MOS, CLI, server) passes through: returns when `user` may
 * do `action` to `cube`, else throws an AccessDeniedError whose message is one line saying who,
 * what, which cube and why, and whose hint says how to get access.
 *
 * @example
 * authorize({ user_id: "eve", role: "user" }, { cube_id: "alice/notes", owner: "alice" }, "read");
 * // AccessDeniedError: user "eve" may not read cube "alice/notes": it is neither theirs nor shared with them
 */
export function authorize(user: AclUser, cube: AclCube, action: Action): void {
  if (isAllowed(user, cube, action)) return;
  const who = `${user.role === "guest" ? "guest" : "user"} "${user.user_id}"`;
  const what = `${who} may not ${VERB[action]} cube "${cube.cube_id}"`;
  const related = cube.owner === user.user_id || Boolean(cube.share);
  const ask = `ask its owner "${cube.owner}"`;
  if (!related) {
    throw new AccessDeniedError({
      message: `${what}: it is neither theirs nor shared with them`,
      hint: `${ask} to share it: memos cube share ${cube.cube_id} --user ${cube.owner} --with ${user.user_id}`,
    });
  }
  if (user.role === "guest") {
    throw new AccessDeniedError({
      message: `${what}: guests may only read cubes shared with them`,
      hint: "ask an admin for a user account",
    });
  }
  if (cube.share === "read") {
    throw new AccessDeniedError({
      message: `${what}: it is shared with them read-only`,
      hint: `${ask} for write access: memos cube share ${cube.cube_id} --user ${cube.owner} --with ${user.user_id} --permission write`,
    });
  }
  throw new AccessDeniedError({
    message: `${what}: a write share allows reading and writing only`,
    hint: `only the owner "${cube.owner}" or an admin may delete, share or manage it`,
  });
}

/**
 * Who may create users: root and admins; only root makes admins; nobody makes another root
 * (root is the first user of a home, made by `memos init`).
 */
export function authorizeUserCreation(acting: AclUser, role: Role): void {
  if (!isAdminRole(acting.role)) {
    throw new AccessDeniedError({
      message: `${acting.role} "${acting.user_id}" may not create users: only root and admins may`,
      hint: "run the command as the root user (the one `memos init` made) or an admin",
    });
  }
  if (role === "root") {
    throw new AccessDeniedError({
      message: `"${acting.user_id}" may not create a root user: a home has one root, the user \`memos init\` made`,
      hint: "create an admin instead (--role admin)",
    });
  }
  if (role === "admin" && acting.role !== "root") {
    throw new AccessDeniedError({
      message: `admin "${acting.user_id}" may not create admins: only root may`,
      hint: "run the command as the root user",
    });
  }
}

/**
 * Who may create (or import, or register) a cube owned by `owner`: the owner themself, or root
 * and admins for anyone; guests own no cubes.
 */
export function authorizeCubeCreation(acting: AclUser, owner: AclUser): void {
  if (owner.role === "guest") {
    throw new AccessDeniedError({
      message: `guest "${owner.user_id}" may not own cubes: guests only read cubes shared with them`,
      hint: "create the cube for a user or admin",
    });
  }
  if (acting.user_id !== owner.user_id && !isAdminRole(acting.role)) {
    throw new AccessDeniedError({
      message: `${acting.role} "${acting.user_id}" may not create cubes for "${owner.user_id}": only root and admins may`,
      hint: `create it as "${owner.user_id}", or as root or an admin`,
    });
  }
}
