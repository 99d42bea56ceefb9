// Writes docs/mcp-tools.md from the MCP tools' schemas: npx tsx scripts/gen-mcp-docs.ts
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { MOS } from "../src/mos/mos.js";
import { createMcpServer } from "../src/server/mcp/server.js";
import { mcpToolsMarkdown } from "../src/server/mcp/tool-docs.js";

/** The tools as a client lists them, from a server over a throwaway home. */
export async function listMcpTools() {
  const home = mkdtempSync(join(tmpdir(), "memos-mcp-docs-"));
  const mos = await MOS.init({ home });
  try {
    const server = createMcpServer({ mos, userId: mos.userId, localPaths: true }, { version: "docs" });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: "docs", version: "1" });
    await client.connect(b);
    const { tools } = await client.listTools();
    await client.close();
    return tools;
  } finally {
    await mos.close();
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL("../docs/mcp-tools.md", import.meta.url).pathname;
  writeFileSync(path, mcpToolsMarkdown(await listMcpTools()));
  console.log(`wrote ${path}`);
}
