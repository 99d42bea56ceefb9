import { createInterface } from "node:readline";
import type { Command } from "commander";
import { ConfigError } from "../../core/errors/config-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { MemosError } from "../../core/errors/memos-error.js";
import type { ChatResult } from "../../mos/chat.js";
import { memoryDate } from "../../mos/chat-prompt.js";
import { LLM_ENV_HINT } from "../../mos/cube-ops.js";
import { languageModelFromEnv } from "../../providers/shared/from-env.js";
import { type CliContext, type CommonOptions, withCommon, withContext } from "../context.js";
import { escapeControl } from "../format.js";
import { type CliIO, printJson, reportError } from "../io.js";

/** A CliIO with the input the REPL reads (tests pass a stream; default process.stdin). */
export interface ChatIO extends CliIO {
  stdin?: NodeJS.ReadableStream;
}

interface ChatCliOptions extends CommonOptions {
  session: string;
  topK: string;
  writeBack?: boolean;
}

const HELP = "commands: /memories (what the last answer used), /clear (forget this session), /exit\n";

/**
 * `memos chat [--session S]`: a REPL on stdin/stdout. Each line is a chat turn over every cube
 * the user may read (or --cube), streamed as it is generated; `/memories` lists the memories the
 * last answer was given (cited ones marked *), `/clear` forgets the session's history, `/exit`
 * (or end of input) quits. Without an LLM it exits 2 saying how to configure one.
 */
export function registerChat(program: Command, io: ChatIO): void {
  withCommon(program.command("chat"))
    .description("chat with memory (interactive; needs an LLM: MEMOS_LLM)")
    .option("--session <id>", "conversation whose history is kept", "default")
    .option("--top-k <n>", "memories per answer", "5")
    .option("--write-back", "store each turn in the user's default cube")
    .action(async (opts: ChatCliOptions) => {
      const topK = Number(opts.topK);
      if (!Number.isInteger(topK) || topK < 0 || topK > 100) {
        throw new InvalidInputError({
          message: `--top-k must be an integer from 0 to 100, got "${opts.topK}"`,
          hint: "e.g. --top-k 5",
        });
      }
      const llm = await languageModelFromEnv();
      if (!llm)
        throw new ConfigError({
          message: "memos chat needs an LLM, and none is configured",
          hint: LLM_ENV_HINT,
        });
      await withContext(
        io,
        opts,
        (ctx) => repl(ctx, io, { session: opts.session, topK, writeBack: Boolean(opts.writeBack) }),
        { llm },
      );
    });
}

async function repl(
  ctx: CliContext,
  io: ChatIO,
  options: { session: string; topK: number; writeBack: boolean },
): Promise<void> {
  const input = io.stdin ?? process.stdin;
  const interactive = io.interactive && Boolean((input as { isTTY?: boolean }).isTTY);
  const cubeIds = ctx.options.cube ? [ctx.options.cube] : undefined;
  const llm = ctx.mos.llm;
  if (interactive)
    io.stderr(
      `Chatting as "${ctx.user}" (session ${options.session}) with ${llm?.provider}:${llm?.modelId}. ${HELP}`,
    );
  const lines = createInterface({ input, terminal: false });
  let last: ChatResult | undefined;
  let failures = 0;
  let turns = 0;
  const prompt = () => interactive && io.stdout("you> ");
  prompt();
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === "") {
      prompt();
      continue;
    }
    if (line === "/exit" || line === "/quit") break;
    if (line === "/help") io.stdout(HELP);
    else if (line === "/memories") showMemories(io, ctx.json, last);
    else if (line === "/clear") {
      const n = ctx.mos.clearChatHistory(ctx.user, options.session);
      last = undefined;
      if (ctx.json) printJson(io, { cleared: options.session, messages: n });
      else io.stdout(`Cleared session "${options.session}" (${n} messages).\n`);
    } else if (line.startsWith("/")) io.stdout(`Unknown command ${line}. ${HELP}`);
    else {
      turns++;
      try {
        last = await turn(ctx, io, line, { ...options, cubeIds });
      } catch (error) {
        // One failed turn (a timeout, a refused cube) is reported; the conversation goes on.
        failures++;
        reportError(io, error, ctx.json);
      }
    }
    prompt();
  }
  lines.close();
  if (failures > 0) {
    throw new MemosError({
      message: `${failures} of ${turns} chat turns failed (see above)`,
      hint: "check the LLM with `memos doctor`",
    });
  }
}

async function turn(
  ctx: CliContext,
  io: ChatIO,
  query: string,
  options: { session: string; topK: number; writeBack: boolean; cubeIds?: string[] },
): Promise<ChatResult> {
  const common = {
    userId: ctx.user,
    sessionId: options.session,
    topK: options.topK,
    writeBack: options.writeBack,
    cubeIds: options.cubeIds,
  };
  // Always streamed from the model; --json prints one document per turn once it is complete.
  const stream = await ctx.mos.chat(query, { ...common, stream: true });
  for await (const delta of stream.textStream) if (!ctx.json) io.stdout(escapeControl(delta));
  const result = await stream.result;
  if (ctx.json) {
    printJson(io, {
      answer: result.answer,
      citations: result.citations,
      dropped_citations: result.droppedCitations,
      memories: result.memories.map((m) => ({ index: m.index, memory_id: m.memoryId, cube_id: m.cubeId })),
      warnings: result.warnings,
    });
    return result;
  }
  io.stdout("\n");
  if (result.droppedCitations.length > 0) {
    io.stderr(
      `memos: warning: dropped citations to memories that were not given: ${escapeControl(result.droppedCitations.map((d) => d.text).join(" "))}\n`,
    );
  }
  for (const w of result.warnings) io.stderr(`memos: warning: ${escapeControl(w)}\n`);
  return result;
}

function showMemories(io: CliIO, json: boolean, last: ChatResult | undefined): void {
  const cited = new Set(last?.citations.map((c) => c.memoryId));
  if (json) {
    printJson(io, {
      memories: (last?.memories ?? []).map((m) => ({
        index: m.index,
        memory_id: m.memoryId,
        cube_id: m.cubeId,
        cited: cited.has(m.memoryId),
        memory: m.item.memory,
      })),
    });
    return;
  }
  if (!last) {
    io.stdout("No answer yet.\n");
    return;
  }
  if (last.memories.length === 0) io.stdout("The last answer was given no memories.\n");
  for (const m of last.memories) {
    const text = escapeControl(m.item.memory.replace(/\s+/g, " ").trim());
    const date = memoryDate(m.item);
    io.stdout(
      `${cited.has(m.memoryId) ? "*" : " "} [${m.index}:${m.memoryId}] ${m.cubeId}${date ? ` (${date})` : ""} ${text.length > 160 ? `${text.slice(0, 160)}…` : text}\n`,
    );
  }
}
