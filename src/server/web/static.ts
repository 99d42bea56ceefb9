import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MissingDependencyError } from "../../core/errors/missing-dependency-error.js";

/** A file the browser loads: its bytes and content type. */
export interface Asset {
  body: Uint8Array;
  type: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * The browser's files: `assets/` beside this module (in dist/, the build does not copy them, so
 * the source tree's copy is used), read once at start-up into a fixed map, so a request can only
 * ever name one of these files (no path from a URL reaches the disk). Cytoscape is served from
 * its npm package, not a CDN.
 */
export function loadAssets(): Map<string, Asset> {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "assets"), join(here, "../../../../src/server/web/assets")];
  const dir = candidates.find((d) => existsSync(join(d, "index.html")));
  if (!dir) throw new Error(`memory browser assets not found (looked in ${candidates.join(", ")})`);
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { body: readFileSync(join(dir, name)), type });
  }
  assets.set("vendor/cytoscape.esm.min.mjs", {
    body: readFileSync(cytoscapePath()),
    type: TYPES[".mjs"] as string,
  });
  return assets;
}

function cytoscapePath(): string {
  try {
    const main = createRequire(import.meta.url).resolve("cytoscape");
    return join(dirname(main), "cytoscape.esm.min.mjs");
  } catch (cause) {
    throw new MissingDependencyError({
      message: "the memory browser's graph view needs the cytoscape package",
      hint: "npm install cytoscape",
      cause,
    });
  }
}
