import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { Context, Env, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MemosError } from "../../core/errors/memos-error.js";
import type { MOS } from "../../mos/mos.js";
import type { MemScheduler } from "../../scheduler/mem-scheduler.js";
import { createMcpServer } from "./server.js";

/** Options of {@link mountMcp}. */
export interface MountMcpOptions<E extends Env = Env> {
  mos: MOS;
  /** The server's scheduler, for `control_memory_scheduler`. */
  scheduler?: MemScheduler;
  /** Reported to clients as the server version. */
  version: string;
  /**
   * The user a request acts for (the REST API's auth: the API key's user). Throw a MemosError
   * (code "auth" → 401, "access_denied" → 403) to refuse. Default: the MOS's user, for a server
   * bound to loopback without keys.
   */
  authenticate?: (c: Context<E>) => string | Promise<string>;
  /** Route path (default "/mcp"). */
  path?: string;
  /** Largest request body in bytes (default 1 MiB): a bigger one is a 413. */
  maxBodyBytes?: number;
}

const STATUS: Partial<Record<string, 401 | 403 | 404>> = { auth: 401, access_denied: 403, not_found: 404 };

/**
 * Mounts MCP over streamable HTTP on a Hono app, stateless: each POST gets its own MCP server
 * acting for the authenticated user, so no session state outlives a request and every call
 * passes through MOS's ACL as that user. Responses are JSON (no server-initiated streams), so
 * GET and DELETE answer 405, as the MCP spec allows for a stateless server.
 *
 * @example
 * const app = new Hono();
 * mountMcp(app, { mos, version: "0.1.0", authenticate: (c) => userForApiKey(c) });
 * serve({ fetch: app.fetch, port: 8000 });
 */
export function mountMcp<E extends Env>(app: Hono<E>, options: MountMcpOptions<E>): void {
  const path = options.path ?? "/mcp";
  const authenticate = options.authenticate ?? (() => options.mos.userId);
  const limit = bodyLimit({
    maxSize: options.maxBodyBytes ?? 1024 * 1024,
    onError: (c) =>
      c.json(
        {
          code: "invalid_input",
          message: "request body too large",
          hint: "send smaller messages or fewer at once",
        },
        413,
      ),
  });
  app.use(path, limit);
  app.post(path, async (c) => {
    let userId: string;
    try {
      userId = await authenticate(c);
    } catch (error) {
      if (!MemosError.isInstance(error)) throw error;
      return c.json(error.toJSON(), STATUS[error.code] ?? 400);
    }
    const server = createMcpServer(
      { mos: options.mos, userId, localPaths: false, scheduler: options.scheduler },
      { version: options.version },
    );
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
  const notAllowed = (c: Context<E>) =>
    c.json(
      {
        jsonrpc: "2.0",
        error: { code: -32000, message: "Method not allowed: this MCP server is stateless (POST only)" },
        id: null,
      },
      405,
      {
        Allow: "POST",
      },
    );
  app.get(path, notAllowed);
  app.delete(path, notAllowed);
}
