import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { ConfigError } from "../../core/errors/config-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { decodeUtf8Strict, parseChatSessions } from "../../reader/index.js";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { itemJson } from "../format.js";
import { type CliIO, printJson } from "../io.js";

interface AddOptions extends CommonOptions {
  file?: string;
  session?: string;
  mode: string;
}

const MAX_FILE_BYTES = 64 * 1024 * 1024;

export function registerAdd(program: Command, io: CliIO): void {
  withCommon(program.command("add").argument("[text]", "a memory to add (or use --file)"))
    .description("add a text, a chat file (.json) or a document (.md, .txt) to memory")
    .option("--file <path>", "chat JSON ([{role, content, chat_time?, speaker?}] or sessions) or a .md/.txt document")
    .option("--session <id>", "session id recorded on the memories")
    .option("--mode <mode>", "fast (windows, no LLM) or fine (LLM extraction)", "fast")
    .action(async (text: string | undefined, opts: AddOptions) => {
      if (opts.mode !== "fast" && opts.mode !== "fine") {
        throw new InvalidInputError({ message: `--mode must be fast or fine, got "${opts.mode}"`, hint: "e.g. --mode fast" });
      }
      if (opts.mode === "fine") {
        throw new ConfigError({ message: "--mode fine needs an LLM and tree memory", hint: "use --mode fast (the default)" });
      }
      if ((text === undefined) === (opts.file === undefined)) {
        throw new InvalidInputError({ message: "give either TEXT or --file, not both or neither", hint: 'memos add "I like tea" | memos add --file chat.json' });
      }
      if (text !== undefined && text.trim() === "") {
        throw new InvalidInputError({ message: "the text to add is empty", hint: 'memos add "I like tea"' });
      }
      const input = opts.file === undefined ? undefined : readInput(opts.file);
      await withContext(io, opts, async (ctx) => {
        const cube = await ctx.writeCube();
        const context = { userId: ctx.user, sessionId: opts.session, cubeId: cube.cubeId };
        const bar = ctx.json || !io.interactive ? undefined : new SingleBar({ stream: process.stderr, format: "embedding {bar} {value}/{total}" });
        let added: TextualMemoryItem[];
        try {
          const onProgress = (done: number, total: number) => {
            if (!bar || total < 200) return;
            if (done <= 256) bar.start(total, 0);
            bar.update(done);
          };
          if (input === undefined) {
            added = await cube.text.addMessages([{ role: "user", content: text as string }], { ...context, onProgress });
          } else if (input.kind === "chat") {
            added = await cube.text.addChatSessions(input.sessions, { ...context, onProgress });
          } else {
            added = await cube.text.addDocument(input.text, { docPath: input.path, format: input.kind }, { ...context, onProgress });
          }
        } finally {
          bar?.stop();
        }
        if (ctx.json) printJson(io, { cube_id: cube.cubeId, added: added.map((i) => itemJson(i)) });
        else io.stdout(`Added ${added.length} memor${added.length === 1 ? "y" : "ies"} to cube "${cube.cubeId}"\n`);
      });
    });
}

type Input = { kind: "chat"; sessions: ReturnType<typeof parseChatSessions> } | { kind: "md" | "txt"; text: string; path: string };

/** Read and validate the whole file before anything is written, so bad input writes nothing. */
function readInput(path: string): Input {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new NotFoundError({ message: `file not found: ${path}`, hint: "check the path" });
  }
  if (size > MAX_FILE_BYTES) {
    throw new InvalidInputError({ message: `${path} is larger than 64 MiB`, hint: "split it into smaller files" });
  }
  const text = decodeUtf8Strict(readFileSync(path), path);
  const ext = extname(path).toLowerCase();
  if (ext === ".json") return { kind: "chat", sessions: parseChatSessions(text, path) };
  if (ext === ".md" || ext === ".markdown") return { kind: "md", text, path };
  if (ext === ".txt" || ext === "") return { kind: "txt", text, path };
  throw new InvalidInputError({ message: `cannot read ${ext} files: ${path}`, hint: "use a chat .json, a .md or a .txt file" });
}
