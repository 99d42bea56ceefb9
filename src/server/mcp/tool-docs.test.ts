import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { listMcpTools } from "../../../scripts/gen-mcp-docs.js";
import { MCP_TOOL_NAMES } from "./server.js";
import { mcpToolsMarkdown } from "./tool-docs.js";

it("docs/mcp-tools.md is what the tools' schemas say (run scripts/gen-mcp-docs.ts after changing a tool)", async () => {
  const tools = await listMcpTools();
  expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOL_NAMES].sort());
  const committed = readFileSync(new URL("../../../docs/mcp-tools.md", import.meta.url), "utf8");
  expect(committed).toBe(mcpToolsMarkdown(tools));
});
