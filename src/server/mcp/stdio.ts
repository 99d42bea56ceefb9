import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { MOS } from "../../mos/mos.js";
import { createMcpServer } from "./server.js";

/**
 * Serves MCP on stdin/stdout for `userId` until the client closes stdin. Nothing else may write
 * to stdout meanwhile (logs go to stderr).
 *
 * @example
 * await serveMcpStdio(mos, { userId: "alice", version: "0.1.0" });
 */
export async function serveMcpStdio(mos: MOS, options: { userId: string; version: string }): Promise<void> {
  const server = createMcpServer(
    { mos, userId: options.userId, localPaths: true },
    { version: options.version },
  );
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
