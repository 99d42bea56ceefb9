import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerAdminTools } from "./admin-tools.js";
import { registerMemoryTools } from "./memory-tools.js";
import type { McpSession } from "./session.js";

/** The tool names, as MemOS's MCP server names them. */
export const MCP_TOOL_NAMES = [
  "add_memory",
  "search_memories",
  "get_memory",
  "update_memory",
  "delete_memory",
  "delete_all_memories",
  "chat",
  "clear_chat_history",
  "create_user",
  "create_cube",
  "register_cube",
  "unregister_cube",
  "share_cube",
  "dump_cube",
  "get_user_info",
  "control_memory_scheduler",
] as const;

/**
 * An MCP server with MemOS's tools, acting for `session.userId`: every tool goes through MOS, so
 * through its ACL, and a `user_id` argument other than the session's needs an admin session.
 *
 * @example
 * const server = createMcpServer({ mos, userId: "alice", localPaths: true }, { version: "0.1.0" });
 * await server.connect(new StdioServerTransport());
 */
export function createMcpServer(session: McpSession, options: { version: string }): McpServer {
  const server = new McpServer(
    { name: "memos-ts", title: "MemOS-TS memory", version: options.version },
    {
      instructions:
        "Long-term memory for this user. Call search_memories before answering questions about the user or past conversations; call add_memory with what the user tells you that is worth keeping.",
    },
  );
  registerMemoryTools(server, session);
  registerAdminTools(server, session);
  return server;
}
