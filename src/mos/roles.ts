import { z } from "zod";

/**
 * User roles, as MemOS declares them (`UserRole`): root (the first user of a home), admin,
 * user, guest. MemOS never enforces them; `acl.ts` does.
 */
export const Role = z.enum(["root", "admin", "user", "guest"]);
export type Role = z.infer<typeof Role>;

/** What a share grants: read, or read and write. */
export const Permission = z.enum(["read", "write"]);
export type Permission = z.infer<typeof Permission>;

/**
 * What a caller wants to do to a cube. `read`: search, get, list, history, chat context, dump.
 * `write`: add, update, rollback. `delete`: delete memories (one, some or all). `share`: grant or
 * revoke another user's access. `manage`: unregister the cube.
 */
export const Action = z.enum(["read", "write", "delete", "share", "manage"]);
export type Action = z.infer<typeof Action>;

/** Roles that may act on every cube and create users. */
export function isAdminRole(role: Role): boolean {
  return role === "root" || role === "admin";
}
