import { createRoute, z } from "@hono/zod-openapi";
import { createApiKey, hasApiKeys, listApiKeys, revokeApiKey } from "../../mos/api-keys.js";
import { actingUser, requireAdmin } from "../auth.js";
import { envelope, jsonIo, jsonOut, ok } from "../schemas.js";
import type { AppContext, MemosApp } from "../types.js";

const KeyInfo = z
  .object({ key_id: z.string(), user_id: z.string(), role: z.string(), created_at: z.string() })
  .openapi("ApiKeyInfo");
const UserInfo = z
  .object({
    user_id: z.string(),
    user_name: z.string(),
    role: z.string(),
    created_at: z.string(),
    default_cube: z.string().nullable(),
  })
  .openapi("UserInfo");

const routes = {
  health: createRoute({
    method: "get",
    path: "/health",
    tags: ["server"],
    summary: "Liveness (no key needed)",
    responses: {
      200: {
        description: "up",
        content: {
          "application/json": {
            schema: envelope(
              z.object({ status: z.literal("ok"), auth: z.enum(["api_key", "none"]), version: z.string() }),
            ),
          },
        },
      },
    },
  }),
  listKeys: createRoute({
    method: "get",
    path: "/admin/keys",
    tags: ["admin"],
    summary: "Every API key (ids, never keys); admin keys only",
    ...jsonOut(envelope(z.array(KeyInfo)), "the keys"),
  }),
  createKey: createRoute({
    method: "post",
    path: "/admin/keys",
    tags: ["admin"],
    summary: "Issue a key for a user (replaces theirs); the key is in this answer only",
    ...jsonIo(
      z.object({ user_id: z.string() }),
      envelope(KeyInfo.extend({ key: z.string() })),
      "the new key",
    ),
  }),
  revokeKey: createRoute({
    method: "delete",
    path: "/admin/keys/{key_id}",
    tags: ["admin"],
    summary: "Revoke a key (by key id or user id); effective at once",
    request: { params: z.object({ key_id: z.string() }) },
    ...jsonOut(envelope(KeyInfo), "the revoked key"),
  }),
  listUsers: createRoute({
    method: "get",
    path: "/users",
    tags: ["users"],
    summary: "Every user (admin keys), or the key's own user",
    ...jsonOut(envelope(z.array(UserInfo)), "users"),
  }),
  createUser: createRoute({
    method: "post",
    path: "/users",
    tags: ["users"],
    summary: "Create a user with a default cube (root and admins; only root makes admins)",
    ...jsonIo(
      z.looseObject({
        user_id: z.string(),
        user_name: z.string().optional(),
        role: z.enum(["admin", "user", "guest"]).default("user"),
      }),
      envelope(UserInfo),
      "the new user",
    ),
  }),
};

export function registerAdmin(app: MemosApp, ctx: AppContext): void {
  const { mos } = ctx;
  const registry = mos.home.registry;

  app.openapi(routes.health, (c) =>
    c.json(
      ok("ok", {
        status: "ok" as const,
        auth: hasApiKeys(registry) ? ("api_key" as const) : ("none" as const),
        version: "0.1.0",
      }),
      200,
    ),
  );

  app.openapi(routes.listKeys, (c) => {
    requireAdmin(c.get("auth"), "listing API keys");
    return c.json(ok("API keys", listApiKeys(registry)), 200);
  });

  app.openapi(routes.createKey, (c) => {
    requireAdmin(c.get("auth"), "issuing API keys");
    const created = createApiKey(registry, c.req.valid("json").user_id);
    return c.json(ok("API key created; it is shown only this once", created), 200);
  });

  app.openapi(routes.revokeKey, (c) => {
    requireAdmin(c.get("auth"), "revoking API keys");
    return c.json(ok("API key revoked", revokeApiKey(registry, c.req.valid("param").key_id)), 200);
  });

  app.openapi(routes.listUsers, (c) => {
    const auth = c.get("auth");
    const users = mos.listUsers().filter((u) => auth.admin || u.user_id === auth.userId);
    return c.json(ok("Users", users), 200);
  });

  app.openapi(routes.createUser, async (c) => {
    const body = c.req.valid("json");
    const actor = actingUser(c.get("auth"), undefined);
    const user = await mos.createUser(body.user_id, {
      role: body.role,
      name: body.user_name,
      actingUser: actor,
    });
    const data = {
      user_id: user.user_id,
      user_name: user.name,
      role: user.role,
      created_at: user.created_at,
      default_cube: user.default_cube,
    };
    return c.json(ok("User created", data), 200);
  });
}
