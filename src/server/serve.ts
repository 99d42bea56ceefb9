import type { AddressInfo } from "node:net";
import { serve as serveNode } from "@hono/node-server";
import { ConfigError } from "../core/errors/config-error.js";
import { hasApiKeys } from "../mos/api-keys.js";
import type { MOS } from "../mos/mos.js";
import { type CreateAppOptions, createApp } from "./app.js";

export interface ServeOptions extends Omit<CreateAppOptions, "requireKeys"> {
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 without keys, 0.0.0.0 with keys. A public host needs keys. */
  host?: string;
  /** Where the banner goes (default stderr). */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  /** Whether callers need an API key. */
  auth: boolean;
  /** Stop accepting, let running tasks finish (the rest stay queued), close the scheduler and the MOS's cubes. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * Serve the app over HTTP. Without any API key the server listens on 127.0.0.1 only (and says
 * so); asking for another address without keys is refused with a ConfigError.
 *
 * @example
 * const server = await serve({ mos, port: 8000 });
 * // ... later
 * await server.close();
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const mos: MOS = options.mos;
  const auth = hasApiKeys(mos.home.registry);
  const host = options.host ?? (auth ? "0.0.0.0" : "127.0.0.1");
  const loopback = LOOPBACK.has(host);
  if (!auth && !loopback) {
    throw new ConfigError({
      message: `refusing to listen on ${host} without API keys: anyone who can reach it could read every memory`,
      hint: "create a key first (memos key create --user NAME), or leave --host out to listen on 127.0.0.1 only",
    });
  }
  // Started with keys (or public): keys stay required, even if the last one is revoked later.
  const { app, ctx } = createApp({ ...options, requireKeys: auth || !loopback });
  const server = await new Promise<ReturnType<typeof serveNode>>((resolve, reject) => {
    const s = serveNode({ fetch: app.fetch, port: options.port ?? 8000, hostname: host }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const url = `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  log(
    auth
      ? `API keys required (Authorization: Bearer <key>); listening on ${host}:${port}`
      : `No API key configured: listening on 127.0.0.1 only, every local caller is trusted (create one with \`memos key create --user NAME\`)`,
  );
  return {
    url,
    host,
    port,
    auth,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.scheduler.close();
      await mos.close();
    },
  };
}
