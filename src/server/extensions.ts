import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hasApiKeys } from "../mos/api-keys.js";
import type { AppExtension } from "./app.js";
import { mountMcp } from "./mcp/http.js";
import { mountWeb, WEB_PUBLIC_PATHS } from "./web/index.js";

/**
 * MCP at `/mcp`, on the REST API's app: the caller is the API key's user (`c.get("auth")`, set by
 * the app's auth middleware), so MCP tools see exactly what the key's REST calls see.
 */
export function mcpExtension(options: { version: string }): AppExtension {
  return {
    register(app, ctx) {
      mountMcp(app, {
        mos: ctx.mos,
        scheduler: ctx.scheduler,
        version: options.version,
        maxBodyBytes: ctx.limits.maxBodyBytes,
        authenticate: (c) => c.get("auth").userId,
      });
    },
  };
}

/**
 * The web memory browser at `/` (page and files public, so it can ask for a key) and its JSON
 * API under `/web/api/` behind the app's auth.
 */
export function webExtension(): AppExtension {
  return {
    publicPaths: [...WEB_PUBLIC_PATHS],
    register(app, ctx) {
      mountWeb(app, {
        mos: ctx.mos,
        authenticate: (c) => c.get("auth").userId,
        keysRequired: () => hasApiKeys(ctx.mos.home.registry),
      });
    },
  };
}

/**
 * Everything this process serves beside the REST API: MCP and the memory browser.
 *
 * @example
 * const { app } = createApp({ mos, extensions: serverExtensions("0.1.0") });
 */
export function serverExtensions(version: string): AppExtension[] {
  return [mcpExtension({ version }), webExtension()];
}

/**
 * The parts `memos serve` mounts beside the REST API: the MCP endpoint (`/mcp`) and the web
 * memory browser (`/`), reporting this package's version to MCP clients.
 */
export function defaultExtensions(): AppExtension[] {
  return serverExtensions(packageVersion());
}

/** The version in this package's package.json (found from src/ or dist/src/ alike). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file))
      return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "0";
  }
  return "0";
}
