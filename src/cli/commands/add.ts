import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import type { GeneralTextMemory } from "../../memory/textual/general.js";
import {
  freshMessages,
  type IngestResult,
  ingestResult,
  tagItems,
} from "../../memory/textual/ingest-keys.js";
import { TreeTextMemory } from "../../memory/textual/tree/tree-memory.js";
import type { AddContext } from "../../memory/textual/types.js";
import { FineMemReader } from "../../reader/fine-reader.js";
import { type ChatSession, decodeUtf8Strict, parseChatSessions } from "../../reader/index.js";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { escapeControl, itemJson } from "../format.js";
import { type CliIO, printJson } from "../io.js";
import { fineModeLlm } from "./fine-mode.js";

interface AddOptions extends CommonOptions {
  file?: string;
  session?: string;
  mode: string;
}

const MAX_FILE_BYTES = 64 * 1024 * 1024;

export function registerAdd(program: Command, io: CliIO): void {
  withCommon(program.command("add").argument("[text]", "a memory to add (or use --file)"))
    .description("add a text, a chat file (.json) or a document (.md, .txt, .html, .pdf) to memory")
    .option(
      "--file <path>",
      "chat JSON ([{role, content, chat_time?, speaker?}] or sessions) or a .md/.txt/.html/.pdf document",
    )
    .option("--session <id>", "session id recorded on the memories")
    .option("--mode <mode>", "fast (windows, no LLM) or fine (LLM extraction; needs MEMOS_LLM)", "fast")
    .action(async (text: string | undefined, opts: AddOptions) => {
      if (opts.mode !== "fast" && opts.mode !== "fine") {
        throw new InvalidInputError({
          message: `--mode must be fast or fine, got "${opts.mode}"`,
          hint: "e.g. --mode fast",
        });
      }
      if ((text === undefined) === (opts.file === undefined)) {
        throw new InvalidInputError({
          message: "give either TEXT or --file, not both or neither",
          hint: 'memos add "I like tea" | memos add --file chat.json',
        });
      }
      if (text !== undefined && text.trim() === "") {
        throw new InvalidInputError({ message: "the text to add is empty", hint: 'memos add "I like tea"' });
      }
      const input: Input =
        opts.file === undefined
          ? { kind: "chat", sessions: [{ messages: [{ role: "user", content: text as string }] }] }
          : readInput(opts.file);
      await withContext(io, opts, async (ctx) => {
        const cube = await ctx.writeCube();
        const llm = opts.mode === "fine" ? await fineModeLlm(cube, "memos add") : undefined;
        const bar =
          ctx.json || !io.interactive
            ? undefined
            : new SingleBar({ stream: process.stderr, format: "embedding {bar} {value}/{total}" });
        const onProgress = (done: number, total: number) => {
          if (!bar || total < 200) return;
          if (done <= 256) bar.start(total, 0);
          bar.update(done);
        };
        const context: AddContext = {
          userId: ctx.user,
          sessionId: opts.session,
          cubeId: cube.cubeId,
          mode: opts.mode as "fast" | "fine",
          onProgress,
        };
        let added: TextualMemoryItem[];
        let warnings: string[] = [];
        let alreadyStored = 0;
        try {
          if (cube.text instanceof TreeTextMemory) {
            const result = await addToTree(cube.text, input, context);
            added = result;
            warnings = result.report.warnings;
            alreadyStored = result.report.alreadyStored ?? 0;
          } else {
            const result = await addToGeneral(cube.text, input, context, llm);
            added = result;
            alreadyStored = result.alreadyStored;
          }
        } finally {
          bar?.stop();
        }
        for (const w of warnings) io.stderr(`memos: warning: ${escapeControl(w)}\n`);
        if (ctx.json)
          printJson(io, {
            cube_id: cube.cubeId,
            added: added.map((i) => itemJson(i)),
            already_stored: alreadyStored,
            warnings,
          });
        else if (added.length === 0 && alreadyStored > 0)
          io.stdout(
            `Nothing to add: ${alreadyStored} message${alreadyStored === 1 ? " is" : "s are"} already stored in cube "${cube.cubeId}"\n`,
          );
        else
          io.stdout(
            `Added ${added.length} memor${added.length === 1 ? "y" : "ies"} to cube "${cube.cubeId}"${alreadyStored > 0 ? ` (${alreadyStored} message${alreadyStored === 1 ? "" : "s"} already stored, skipped)` : ""}\n`,
          );
      });
    });
}

type Input =
  | { kind: "chat"; sessions: ChatSession[] }
  | { kind: "md" | "txt"; text: string; path: string }
  | { kind: "file"; path: string };

/** Tree cubes read in either mode themselves, then reorganize. */
function addToTree(mem: TreeTextMemory, input: Input, context: AddContext) {
  if (input.kind === "chat") return mem.addChatSessions(input.sessions, context);
  if (input.kind === "file") return mem.addDocumentFile(input.path, context);
  return mem.addDocument(input.text, { docPath: input.path, format: input.kind }, context);
}

/** General cubes: fast reading inside the memory; fine mode reads with the LLM first, then stores the items as given. */
async function addToGeneral(
  mem: GeneralTextMemory,
  input: Input,
  context: AddContext,
  llm: LanguageModel | undefined,
): Promise<IngestResult> {
  if (!llm) {
    if (input.kind === "chat") return mem.addChatSessions(input.sessions, context);
    if (input.kind === "file")
      return ingestResult(await mem.add(await mem.reader.readDocumentFile(input.path, context), context), 0);
    return ingestResult(
      await mem.addDocument(input.text, { docPath: input.path, format: input.kind }, context),
      0,
    );
  }
  const reader = new FineMemReader({ llm });
  const items: TextualMemoryItem[] = [];
  let alreadyStored = 0;
  if (input.kind === "chat") {
    for (const s of input.sessions) {
      const ctx = { ...context, sessionId: s.session_id ?? context.sessionId };
      const {
        fresh,
        keyOf,
        alreadyStored: skipped,
      } = await freshMessages(mem.store, s.messages, ctx.sessionId);
      alreadyStored += skipped;
      if (fresh.length > 0) items.push(...tagItems(await reader.readChat(fresh, ctx), keyOf));
    }
  } else if (input.kind === "file") {
    items.push(...(await reader.readDocumentFile(input.path, context)));
  } else {
    items.push(
      ...(await reader.readDocument(input.text, { docPath: input.path, format: input.kind }, context)),
    );
  }
  return ingestResult(await mem.add(items, context), alreadyStored);
}

/** Read and validate the whole file before anything is written, so bad input writes nothing. */
function readInput(path: string): Input {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new NotFoundError({ message: `file not found: ${path}`, hint: "check the path" });
  }
  if (size > MAX_FILE_BYTES) {
    throw new InvalidInputError({
      message: `${path} is larger than 64 MiB`,
      hint: "split it into smaller files",
    });
  }
  const ext = extname(path).toLowerCase();
  // HTML and PDF are parsed by the reader (it validates them); the rest is read here.
  if (ext === ".html" || ext === ".htm" || ext === ".pdf") return { kind: "file", path };
  const text = decodeUtf8Strict(readFileSync(path), path);
  if (ext === ".json") return { kind: "chat", sessions: parseChatSessions(text, path) };
  if (ext === ".md" || ext === ".markdown") return { kind: "md", text, path };
  if (ext === ".txt" || ext === "") return { kind: "txt", text, path };
  throw new InvalidInputError({
    message: `cannot read ${ext} files: ${path}`,
    hint: "use a chat .json, or a .md, .txt, .html or .pdf document",
  });
}
