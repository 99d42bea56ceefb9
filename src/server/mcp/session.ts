import { z } from "zod";
import { AccessDeniedError } from "../../core/errors/access-denied-error.js";
import { MemosError, type MemosErrorCode } from "../../core/errors/memos-error.js";
import { logger } from "../../core/logger.js";
import { requireUser } from "../../mos/guard.js";
import type { MOS } from "../../mos/mos.js";
import { isAdminRole } from "../../mos/roles.js";
import type { MemScheduler } from "../../scheduler/mem-scheduler.js";

/**
 * Who an MCP connection acts for. Over stdio that is `memos mcp --user U` (the local operator);
 * over HTTP it is the API key's user. `localPaths` says whether tools may read or write paths on
 * the server's disk (document files, cube directories): yes on stdio, where client and server are
 * one machine, only for root and admins over HTTP.
 */
export interface McpSession {
  mos: MOS;
  userId: string;
  localPaths: boolean;
  /** The server's scheduler (HTTP); stdio connections have none. */
  scheduler?: MemScheduler;
}

/**
 * The user a tool call acts as: the session's user, or `requested` when it names another and the
 * session's user is root or an admin (as the REST API treats a `user_id` in a body).
 */
export function actingUser(session: McpSession, requested: string | undefined): string {
  if (requested === undefined || requested === session.userId) return session.userId;
  const me = requireUser(session.mos.home.registry, session.userId);
  if (!isAdminRole(me.role)) {
    throw new AccessDeniedError({
      message: `user "${session.userId}" may not act as "${requested}": user_id must be the connection's own user`,
      hint: `omit user_id, or connect as "${requested}" (or as an admin)`,
    });
  }
  requireUser(session.mos.home.registry, requested);
  return requested;
}

/** Argument schemas every tool group shares. */
export const userIdArg = z
  .string()
  .min(1)
  .optional()
  .describe("Acting user (default: the connection's user; another user needs an admin connection)");
export const cubeIdArg = z.string().min(1).describe('Cube id, e.g. "alice/default"');

/** Refuses a server-side path when this connection may not use them. */
export function checkLocalPath(session: McpSession, what: string): void {
  if (session.localPaths) return;
  const me = requireUser(session.mos.home.registry, session.userId);
  if (isAdminRole(me.role)) return;
  throw new AccessDeniedError({
    message: `${what} names a path on the server, which only root and admins may use over HTTP`,
    hint: "send the content itself (messages or memory_content), or use `memos mcp` on the machine that holds the file",
  });
}

/** The error of a tool result: MemOS-TS's codes, plus "unavailable" for a subsystem that does not exist yet. */
export interface ToolErrorBody {
  code: MemosErrorCode | "unavailable";
  message: string;
  hint?: string;
}

/** What a tool returns: one text block for the model and the same facts as structured content. */
export interface ToolResult {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent: Record<string, unknown>;
  isError?: boolean;
}

export function toolOk(text: string, structured: Record<string, unknown>): ToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

export function toolError(error: ToolErrorBody): ToolResult {
  const text = `Error (${error.code}): ${error.message}${error.hint ? `\nHint: ${error.hint}` : ""}`;
  return { content: [{ type: "text", text }], structuredContent: { error }, isError: true };
}

/**
 * Runs a tool body and turns a thrown MemosError into an error result with its code and hint.
 * Anything else is logged and reported as an internal error, without its stack or message
 * (which may carry paths or library internals).
 */
export async function runTool(
  name: string,
  body: () => Promise<ToolResult> | ToolResult,
): Promise<ToolResult> {
  try {
    return await body();
  } catch (error) {
    if (MemosError.isInstance(error)) return toolError(error.toJSON());
    logger.error({ err: error, tool: name }, "MCP tool failed");
    return toolError({
      code: "internal",
      message: `${name} failed with an internal error`,
      hint: "run the server with MEMOS_LOG_LEVEL=error to see it in the server's log",
    });
  }
}
