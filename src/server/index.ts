/**
 * The server: MemOS's REST API on Hono (`createApp`, `serve`), its auth middleware and the
 * extension seam that MCP and the web browser mount through.
 *
 * @module
 */
export {
  type AppContext,
  type AppExtension,
  type CreateAppOptions,
  createApp,
  limitsFromEnv,
  type MemosApp,
  PUBLIC_PATHS,
  type ServerLimits,
} from "./app.js";
export {
  type AppEnv,
  type AuthInfo,
  actingUser,
  authMiddleware,
  isPublicPath,
  requireAdmin,
} from "./auth.js";
export { errorResponse, HttpError } from "./errors.js";
export { defaultExtensions } from "./extensions.js";
export { type RunningServer, type ServeOptions, serve } from "./serve.js";
