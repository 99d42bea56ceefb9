import type { Command } from "commander";
import { languageModelFromEnv } from "../../providers/shared/from-env.js";
import { serveMcpStdio } from "../../server/mcp/stdio.js";
import { type CommonOptions, withContext } from "../context.js";
import type { CliIO } from "../io.js";

/**
 * `memos mcp [--dir DIR] [--user U]`: MemOS's MCP tools on stdin/stdout for an agent (Claude
 * Desktop, Claude Code, Cursor), acting as U (default: the home's first user). Chat uses the LLM
 * MEMOS_LLM names, when set.
 */
export function registerMcp(program: Command, io: CliIO): void {
  program
    .command("mcp")
    .description("serve MemOS's MCP tools on stdio (for Claude Desktop, Claude Code, Cursor)")
    .option("--dir <dir>", "MEMOS_HOME (default $MEMOS_HOME or ./.memos)")
    .option("--user <name>", "the user the agent acts as (default: the user `memos init` made)")
    .action(async (opts: CommonOptions) => {
      const llm = await languageModelFromEnv();
      await withContext(
        io,
        opts,
        (ctx) => serveMcpStdio(ctx.mos, { userId: ctx.user, version: program.version() ?? "0" }),
        { llm },
      );
    });
}
