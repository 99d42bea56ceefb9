import type { AppExtension } from "./app.js";

/**
 * The parts `memos serve` mounts beside the REST API: the MCP endpoint (`/mcp`) and the web
 * memory browser (`/`). Each is an {@link AppExtension}; add yours to this list.
 */
export function defaultExtensions(): AppExtension[] {
  return [];
}
