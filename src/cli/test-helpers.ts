import { stripVTControlCharacters } from "node:util";
import type { CliIO } from "./io.js";
import { runCli } from "./main.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with its output exactly as a terminal would get it (escapes kept). */
export async function memosRaw(...argv: string[]): Promise<CliResult> {
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
  return { code, stdout, stderr };
}

/** Run the CLI in-process with captured output (spawning tsx per command would cost ~1 s each). */
export async function memos(...argv: string[]): Promise<CliResult> {
  const r = await memosRaw(...argv);
  // Colours depend on the terminal and on CI=true (picocolors); tests read plain text.
  return {
    code: r.code,
    stdout: stripVTControlCharacters(r.stdout),
    stderr: stripVTControlCharacters(r.stderr),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON output
export function json<T = any>(r: CliResult): T {
  return JSON.parse(r.stdout) as T;
}
