export { type MountMcpOptions, mountMcp } from "./http.js";
export { createMcpServer, MCP_TOOL_NAMES } from "./server.js";
export type { McpSession, ToolErrorBody } from "./session.js";
export { serveMcpStdio } from "./stdio.js";
