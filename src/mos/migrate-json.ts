import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { logger } from "../core/logger.js";
import { JSON_REGISTRY_FILE, type Registry } from "./registry.js";

export { JSON_REGISTRY_FILE };

/** What the migrated file is renamed to (kept as a backup, never read again). */
export const MIGRATED_JSON_FILE = "memos.json.migrated";
const MIGRATED_KEY = "migrated_from_json";

const JsonRegistry = z.object({
  version: z.literal(1),
  default_user: z.string(),
  users: z.record(
    z.string(),
    z.object({ default_cube: z.string().nullish(), created_at: z.string().optional() }),
  ),
  cubes: z.record(
    z.string(),
    z.object({ owner: z.string(), path: z.string(), created_at: z.string().optional() }),
  ),
});

/**
 * Move a home's `memos.json` (`{version: 1, default_user, users, cubes}`) into registry.db.
 * The default user (the one `memos init` made) becomes root, every other user a plain user;
 * cubes keep their owner and path, users their default cube. The import is one transaction,
 * marked done in `meta`, so a crash before the file is renamed cannot import it twice, and two
 * processes opening the home at once import it once.
 */
export function migrateJsonRegistry(registry: Registry, dir: string): void {
  const path = join(dir, JSON_REGISTRY_FILE);
  if (!existsSync(path)) return;
  registry.transaction(() => {
    if (registry.getMeta(MIGRATED_KEY)) return;
    const json = parseJsonRegistry(path);
    const users = new Map(Object.entries(json.users));
    // A cube whose owner is missing from `users` still gets an owner, so no memory becomes unreachable.
    for (const cube of Object.values(json.cubes)) if (!users.has(cube.owner)) users.set(cube.owner, {});
    if (!users.has(json.default_user)) users.set(json.default_user, {});
    // The default user goes first, so it is also the registry's default user.
    const order = [json.default_user, ...[...users.keys()].filter((u) => u !== json.default_user).sort()];
    for (const userId of order) {
      if (registry.getUser(userId)) continue;
      const role = userId === json.default_user ? "root" : "user";
      registry.insertUser({ user_id: userId, role, created_at: users.get(userId)?.created_at });
    }
    if (!registry.defaultUser) registry.setMeta("default_user", json.default_user);
    for (const [cubeId, cube] of Object.entries(json.cubes)) {
      if (!registry.getCube(cubeId))
        registry.insertCube({
          cube_id: cubeId,
          owner: cube.owner,
          path: cube.path,
          created_at: cube.created_at,
        });
    }
    for (const [userId, user] of users) {
      if (user.default_cube && registry.getCube(user.default_cube))
        registry.setDefaultCube(userId, user.default_cube);
    }
    registry.setMeta(MIGRATED_KEY, new Date().toISOString());
  });
  try {
    renameSync(path, join(dir, MIGRATED_JSON_FILE));
  } catch (error) {
    // Another process renamed it first; the meta marker keeps it from being imported again.
    logger.debug({ err: error }, "registry: memos.json already moved");
  }
}

function parseJsonRegistry(path: string): z.infer<typeof JsonRegistry> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new InvalidInputError({
      message: `${path} is damaged (not JSON)`,
      hint: "restore it from a backup",
      cause,
    });
  }
  const parsed = JsonRegistry.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidInputError({ message: `${path} is damaged`, hint: "restore it from a backup" });
  }
  return parsed.data;
}
