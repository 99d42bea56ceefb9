/** The types route groups and extensions share (apart from app.ts, so routes need not import it). */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MOS } from "../mos/mos.js";
import type { MemScheduler } from "../scheduler/mem-scheduler.js";
import type { AppEnv } from "./auth.js";

/** The Hono app every route group is registered on (OpenAPI-aware; `c.get("auth")` is set). */
export type MemosApp = OpenAPIHono<AppEnv>;

/** What route groups share. */
export interface AppContext {
  mos: MOS;
  /** Background work (async adds and what follows them): status, wait, submit. */
  scheduler: MemScheduler;
  limits: ServerLimits;
}

export interface ServerLimits {
  /** Largest request body in bytes (default 2 MiB, MEMOS_MAX_BODY_BYTES); larger is a 413. */
  maxBodyBytes: number;
  /** Requests per minute per API key (default 600, MEMOS_RATE_LIMIT); 0 turns the limit off. */
  rateLimitPerMinute: number;
}

/**
 * A part served by the same process, mounted after the REST API: the MCP endpoint (`/mcp`) and
 * the web memory browser (`/`). Its routes go through the same auth middleware (and body limit)
 * unless listed in `publicPaths`; inside a handler, `c.get("auth")` is the caller
 * ({@link AuthInfo}) and `actingUser(auth, userId)` resolves whom to act as.
 *
 * @example
 * const browser: AppExtension = {
 *   publicPaths: ["/", "/assets/*"],                 // the page itself loads without a key
 *   register(app, ctx) { app.get("/", (c) => c.html(page)); },
 * };
 * createApp({ mos, extensions: [browser] });
 */
export interface AppExtension {
  /** Exact paths, or prefixes ending in `*`, served without an API key. */
  publicPaths?: string[];
  register(app: MemosApp, ctx: AppContext): void;
}
