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
      return reportError(io, usageError(error, argv), json);
    }
    return reportError(io, error, json);
  }
}

/**
 * Commander's error as one line with a hint: its suggestion ("Did you mean search?") becomes the
 * hint, and an unknown command is never told to read its own --help.
 */
export function usageError(error: CommanderError, argv: string[]): InvalidInputError {
  const [first = "", ...rest] = error.message.replace(/^error:\s*/, "").split("\n");
  const suggestion = /Did you mean (.+?)\?/.exec(rest.join(" "))?.[1];
  const unknown = /^unknown command '(.*)'$/.exec(first)?.[1];
  // The command whose --help can help: the one typed before the unknown word, if any.
  const at = unknown === undefined ? 1 : argv.indexOf(unknown);
  const known = argv.slice(0, Math.max(0, at)).filter((a) => !a.startsWith("-"));
  const help = known.length > 0 ? `see memos ${known.join(" ")} --help` : "see memos --help";
  const hint = suggestion ? `did you mean ${suggestion}? ${help}` : help;
  return new InvalidInputError({ message: first, hint });
}
