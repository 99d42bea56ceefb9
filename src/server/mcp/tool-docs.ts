/** A tool as `tools/list` describes it (the fields the reference uses). */
export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: { properties?: Record<string, unknown>; required?: string[] };
}

function typeOf(schema: unknown): string {
  const s = schema as { type?: string | string[]; enum?: unknown[]; anyOf?: unknown[]; items?: unknown };
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" \\| ");
  if (s.anyOf) return s.anyOf.map(typeOf).join(" or ");
  if (s.type === "array") return `${typeOf(s.items ?? {})}[]`;
  if (Array.isArray(s.type)) return s.type.join(" \\| ");
  return s.type ?? "any";
}

/**
 * The MCP tool reference (docs/mcp-tools.md) from the tools' own JSON schemas, so the document
 * cannot drift from the code (a test compares them).
 *
 * @example
 * const { tools } = await client.listTools();
 * writeFileSync("docs/mcp-tools.md", mcpToolsMarkdown(tools));
 */
export function mcpToolsMarkdown(tools: ListedTool[]): string {
  const out = [
    "# MCP tools",
    "",
    "Generated from the tools' schemas by `npx tsx scripts/gen-mcp-docs.ts`; do not edit by hand.",
    "`memos mcp` serves them on stdio, `memos serve` at `/mcp` (streamable HTTP, API-key auth).",
    "",
  ];
  for (const tool of [...tools].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(`## ${tool.name}`, "", tool.description ?? "", "");
    const props = Object.entries(tool.inputSchema.properties ?? {});
    if (props.length === 0) continue;
    out.push("| argument | type | required | description |", "|---|---|---|---|");
    for (const [name, schema] of props) {
      const required = tool.inputSchema.required?.includes(name) ? "yes" : "";
      const description = ((schema as { description?: string }).description ?? "").replaceAll("|", "\\|");
      out.push(`| \`${name}\` | ${typeOf(schema)} | ${required} | ${description} |`);
    }
    out.push("");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
