import { stripVTControlCharacters } from "node:util";
import type { CliIO } from "./io.js";
import { runCli } from "./main.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with captured output (spawning tsx per command would cost ~1 s each). */
export async function memos(...argv: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    interactive: false,
  };
  const code = await runCli(argv, io);
  // Colours depend on the terminal and on CI=true (picocolors); tests read plain text.
  return { code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON output
export function json<T = any>(r: CliResult): T {
  return JSON.parse(r.stdout) as T;
}
