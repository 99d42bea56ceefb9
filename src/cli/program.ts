import { Command } from "commander";
import { registerAdd } from "./commands/add.js";
import { registerChat } from "./commands/chat.js";
import { registerCube } from "./commands/cube.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerDumpLoad } from "./commands/dump-load.js";
import { registerInit } from "./commands/init.js";
import { registerItemCommands } from "./commands/items.js";
import { registerKey } from "./commands/key.js";
import { registerKv } from "./commands/kv.js";
import { registerLora } from "./commands/lora.js";
import { registerMcp } from "./commands/mcp.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerScheduler } from "./commands/scheduler.js";
import { registerSearch } from "./commands/search.js";
import { registerServe } from "./commands/serve.js";
import { registerUser } from "./commands/user.js";
import { registerWorker } from "./commands/worker.js";
import type { CliIO } from "./io.js";

export const VERSION = "0.1.0";

/** The `memos` command tree (DESIGN.md section 6). `bench` is mounted lazily by main. */
export function buildProgram(io: CliIO): Command {
  const program = new Command("memos")
    .description("MemOS-TS: a memory operating system for LLM applications")
    .version(VERSION)
    .showSuggestionAfterError(true);
  registerInit(program, io);
  registerAdd(program, io);
  registerSearch(program, io);
  registerItemCommands(program, io);
  registerDumpLoad(program, io);
  registerChat(program, io);
  registerUser(program, io);
  registerCube(program, io);
  registerDoctor(program, io);
  registerKey(program, io);
  registerKv(program, io);
  registerLora(program, io);
  registerServe(program, io);
  registerMcp(program, io);
  registerMigrate(program, io);
  registerWorker(program, io);
  registerScheduler(program, io);
  return program;
}
