import type { Context, Env, Hono } from "hono";
import { mountWebApi, type WebApiOptions } from "./api.js";
import { loadAssets } from "./static.js";

export { mountWebApi, type WebApiOptions } from "./api.js";

/** Paths the browser loads before signing in: the page and its files (the API under /web/api needs a key when keys exist). */
export const WEB_PUBLIC_PATHS = ["/", "/ui/*"] as const;

// Scripts only from this server; cytoscape sets inline styles on its own elements.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The memory browser: the page at `/`, its files under `/ui/`, and its JSON API under
 * `/web/api/` (see {@link mountWebApi}), all on the given Hono app, nothing to build.
 *
 * @example
 * const app = new Hono();
 * mountWeb(app, { mos, authenticate: (c) => c.get("auth").userId, keysRequired: () => hasApiKeys(mos.home.registry) });
 */
export function mountWeb<E extends Env>(app: Hono<E>, options: WebApiOptions<E>): void {
  const assets = loadAssets();
  const send = (c: Context<E>, name: string) => {
    const asset = assets.get(name);
    if (!asset) return c.json({ code: "not_found", message: `no file /ui/${name}` }, 404);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": asset.type,
      "Content-Security-Policy": CSP,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-cache",
    });
  };
  app.get("/", (c) => send(c, "index.html"));
  app.get("/ui/vendor/:file", (c) => send(c, `vendor/${c.req.param("file")}`));
  app.get("/ui/:file", (c) => send(c, c.req.param("file")));
  mountWebApi(app, options);
}
