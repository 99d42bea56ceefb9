import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { MOS } from "../mos/mos.js";
import type { MemScheduler } from "../scheduler/mem-scheduler.js";
import { createLocalMosScheduler } from "../scheduler/mos-scheduler.js";
import { type AppEnv, authMiddleware } from "./auth.js";
import { registerDocs } from "./docs.js";
import { HttpError, onError, onNotFound } from "./errors.js";
import { RateLimiter } from "./rate-limit.js";
import { registerAdd } from "./routes/add.js";
import { registerAdmin } from "./routes/admin.js";
import { registerChat } from "./routes/chat.js";
import { registerCubes } from "./routes/cubes.js";
import { applyFeedback, FeedbackRequest, registerFeedback } from "./routes/feedback.js";
import { registerMemories } from "./routes/memories.js";
import { registerScheduler } from "./routes/scheduler.js";
import { registerSearch } from "./routes/search.js";
import type { AppContext, AppExtension, MemosApp, ServerLimits } from "./types.js";

export type { AppContext, AppExtension, MemosApp, ServerLimits } from "./types.js";

export interface CreateAppOptions {
  mos: MOS;
  limits?: Partial<ServerLimits>;
  /**
   * The scheduler async adds go to (`createMosScheduler`, e.g. on Redis). Default: the local
   * queue in the MOS's home with a worker in this process. `serve()` closes it on shutdown.
   */
  scheduler?: MemScheduler;
  /** MCP, the browser, anything else this process serves. */
  extensions?: AppExtension[];
  /**
   * Refuse every call while no key exists, instead of running open (serve() sets it when it
   * started with keys or on a non-loopback address, so revoking the last key never opens it up).
   */
  requireKeys?: boolean;
}

/** Paths served without a key: liveness and the API's own description. */
export const PUBLIC_PATHS = ["/health", "/openapi.json", "/docs"];

export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ServerLimits> {
  const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : undefined);
  return { maxBodyBytes: int(env.MEMOS_MAX_BODY_BYTES), rateLimitPerMinute: int(env.MEMOS_RATE_LIMIT) };
}

/**
 * The server as a Hono app: MemOS's product API (`/product/*`), `/users`, `/cubes`,
 * `/admin/keys`, `/health`, `/openapi.json` and `/docs`, then the extensions. Every route but
 * the public ones needs an API key once one exists (see auth.ts); every memory operation goes
 * through MOS and its ACL. Test it with `app.request()`; serve it with `serve()` (serve.ts).
 *
 * @example
 * const mos = await MOS.open({ home: "./.memos" });
 * const { app } = createApp({ mos });
 * const res = await app.request("/product/search", { method: "POST", body: JSON.stringify({ query: "tea", user_id: "alice" }) });
 */
export function createApp(options: CreateAppOptions): { app: MemosApp; ctx: AppContext } {
  const limits: ServerLimits = {
    maxBodyBytes: options.limits?.maxBodyBytes ?? 2 * 1024 * 1024,
    rateLimitPerMinute: options.limits?.rateLimitPerMinute ?? 600,
  };
  const scheduler =
    options.scheduler ??
    createLocalMosScheduler(options.mos, {
      feedback: (mos, userId, body) => applyFeedback(mos, userId, FeedbackRequest.parse(body)),
    });
  const ctx: AppContext = { mos: options.mos, scheduler, limits };
  const app: MemosApp = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
  app.onError(onError);
  app.notFound(onNotFound);
  app.use(
    "*",
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: () => {
        throw new HttpError(413, {
          code: "payload_too_large",
          message: `the request body is larger than ${limits.maxBodyBytes} bytes`,
          hint: "send less per request (split the messages), or raise MEMOS_MAX_BODY_BYTES on the server",
        });
      },
    }),
  );
  const publicPaths = [...PUBLIC_PATHS, ...(options.extensions ?? []).flatMap((e) => e.publicPaths ?? [])];
  const limiter =
    limits.rateLimitPerMinute > 0 ? new RateLimiter({ perMinute: limits.rateLimitPerMinute }) : undefined;
  app.use("*", authMiddleware(options.mos, { publicPaths, limiter, requireKeys: options.requireKeys }));

  registerAdd(app, ctx);
  registerSearch(app, ctx);
  registerMemories(app, ctx);
  registerFeedback(app, ctx);
  registerChat(app, ctx);
  registerCubes(app, ctx);
  registerScheduler(app, ctx);
  registerAdmin(app, ctx);
  for (const extension of options.extensions ?? []) extension.register(app, ctx);
  registerDocs(app);
  return { app, ctx };
}

function validationError(error: { issues: { path: PropertyKey[]; message: string }[] }): HttpError {
  const issues = error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`);
  return new HttpError(422, {
    code: "invalid_input",
    message: `invalid request: ${issues.join("; ")}`,
    hint: "see /docs for the request's fields",
  });
}
