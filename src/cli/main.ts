import { CommanderError } from "commander";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { mountBench } from "./bench.js";
import { type CliIO, processIO, reportError } from "./io.js";
import { buildProgram } from "./program.js";

/**
 * Run the CLI on `argv` (without node and script) and return the exit code:
 * 0 success, 2 bad input, 3 access denied, 1 anything else.
 */
export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  const json = argv.includes("--json");
  const program = buildProgram(io);
  if (argv[0] === "bench") await mountBench(program);
  program.exitOverride();
  for (const cmd of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    cmd.exitOverride();
    // Commander's own error text is replaced by our one-line message with a hint.
    cmd.configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      const message = error.message.replace(/^error:\s*/, "");
      const hint = argv[0] && !argv[0].startsWith("-") ? `see memos ${argv[0]} --help` : "see memos --help";
      return reportError(io, new InvalidInputError({ message, hint }), json);
    }
    return reportError(io, error, json);
  }
}
