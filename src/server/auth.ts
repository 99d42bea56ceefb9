import { getConnInfo } from "@hono/node-server/conninfo";
import type { MiddlewareHandler } from "hono";
import { hasApiKeys, verifyApiKey } from "../mos/api-keys.js";
import type { MOS } from "../mos/mos.js";
import { isAdminRole, type Role } from "../mos/roles.js";
import { HttpError } from "./errors.js";
import type { RateLimiter } from "./rate-limit.js";

/** Who is calling: the key's user, or (no key configured, loopback only) the home's default user. */
export interface AuthInfo {
  userId: string;
  role: Role;
  /** The key's id; null when the server runs without keys. */
  keyId: string | null;
  /** A root or admin user's key (or no keys at all): may act as any user and manage keys. */
  admin: boolean;
  /** No key is configured: every caller is trusted (the server then listens on 127.0.0.1 only). */
  open: boolean;
}

/** Hono env of every route: `c.get("auth")` is set by {@link authMiddleware}. */
export type AppEnv = { Variables: { auth: AuthInfo } };

/**
 * Whether a path is served without a key. Entries are exact paths, or prefixes ending in `*`
 * ("/assets/*").
 */
export function isPublicPath(path: string, publicPaths: readonly string[]): boolean {
  return publicPaths.some((p) => (p.endsWith("*") ? path.startsWith(p.slice(0, -1)) : path === p));
}

/**
 * Authenticate every request not on a public path: `Authorization: Bearer <key>` checked against
 * the registry's salted scrypt hashes (a revoked key fails at once), then the per-key rate limit.
 * With no key in the registry the server is open (it binds 127.0.0.1 only) and the caller acts
 * as the home's default user unless a body names another. Sets `c.get("auth")`.
 *
 * The MCP endpoint and the browser's API calls go through this same middleware.
 */
export function authMiddleware(
  mos: MOS,
  options: { publicPaths: readonly string[]; limiter?: RateLimiter; requireKeys?: boolean },
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (isPublicPath(c.req.path, options.publicPaths)) return next();
    const registry = mos.home.registry;
    const header = c.req.header("authorization");
    let auth: AuthInfo;
    if (!hasApiKeys(registry)) {
      // A public server whose last key was revoked closes rather than opening up.
      if (options.requireKeys) throw unauthorized("this server requires API keys and none exists");
      const user = mos.home.user(mos.userId);
      auth = { userId: user.user_id, role: user.role, keyId: null, admin: true, open: true };
    } else {
      const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!m?.[1])
        throw unauthorized(header ? "the Authorization header is not `Bearer <API key>`" : "no API key");
      const user = verifyApiKey(registry, m[1]);
      if (!user) throw unauthorized("the API key is unknown or revoked");
      const keyId = m[1].split("_")[1] ?? null;
      auth = { userId: user.user_id, role: user.role, keyId, admin: isAdminRole(user.role), open: false };
    }
    if (options.limiter) {
      const client = auth.keyId ? `key:${auth.keyId}` : `addr:${remoteAddress(c)}`;
      const verdict = options.limiter.take(client);
      if (!verdict.ok) {
        throw new HttpError(
          429,
          {
            code: "rate_limited",
            message: "too many requests for this API key",
            hint: `retry after ${verdict.retryAfterSeconds} s (limit: MEMOS_RATE_LIMIT requests per minute)`,
          },
          { "Retry-After": String(verdict.retryAfterSeconds) },
        );
      }
    }
    c.set("auth", auth);
    return next();
  };
}

function unauthorized(message: string): HttpError {
  return new HttpError(
    401,
    {
      code: "unauthorized",
      message,
      hint: "send Authorization: Bearer <key>; create one with `memos key create --user NAME`",
    },
    { "WWW-Authenticate": 'Bearer realm="memos"' },
  );
}

function remoteAddress(c: Parameters<MiddlewareHandler>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? "local";
  } catch {
    return "local"; // app.request() in tests has no socket
  }
}

/**
 * The user a call acts as. A `user_id` in the body must be the key's user, unless the key is an
 * admin's (or the server runs without keys); then it names whom to act as.
 *
 * @example
 * const userId = actingUser(c.get("auth"), body.user_id);
 */
export function actingUser(auth: AuthInfo, requested?: string | null): string {
  if (!requested || requested === auth.userId) return auth.userId;
  if (auth.admin) return requested;
  throw new HttpError(403, {
    code: "access_denied",
    message: `this API key belongs to "${auth.userId}" and may not act as "${requested}"`,
    hint: `leave user_id out or set it to "${auth.userId}"; only admin keys act for other users`,
  });
}

/** Only admin keys (or a keyless local server) pass. */
export function requireAdmin(auth: AuthInfo, what: string): void {
  if (auth.admin) return;
  throw new HttpError(403, {
    code: "access_denied",
    message: `${what} needs an admin key; "${auth.userId}" is a ${auth.role}`,
    hint: "use the key of a root or admin user (memos key create --user <admin>)",
  });
}
