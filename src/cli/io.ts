import { errorMessage } from "../core/errors/error-message.js";
import { exitCodeFor, MemosError } from "../core/errors/index.js";
import { escapeControl } from "./format.js";

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bars only then). */
  interactive: boolean;
}

export const processIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  interactive: Boolean(process.stderr.isTTY),
};

/** Print exact JSON (one document, newline-terminated). */
export function printJson(io: CliIO, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** One line on stderr, with the hint; returns the exit code. */
export function reportError(io: CliIO, error: unknown, json: boolean): number {
  const code = exitCodeFor(error);
  if (MemosError.isInstance(error)) {
    if (json) io.stderr(`${JSON.stringify({ error: error.toJSON() })}\n`);
    else
      io.stderr(`memos: ${escapeControl(`${error.message}${error.hint ? ` (hint: ${error.hint})` : ""}`)}\n`);
  } else {
    const message = errorMessage(error);
    if (json) io.stderr(`${JSON.stringify({ error: { code: "internal", message } })}\n`);
    else
      io.stderr(
        `memos: unexpected error: ${escapeControl(message)} (hint: rerun with MEMOS_LOG_LEVEL=debug and report it)\n`,
      );
  }
  return code;
}
