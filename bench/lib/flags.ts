/**
 * Flag parsing and the stand-alone entry point shared by the `memos bench …` commands that can
 * also run on their own (`npx tsx bench/<name>/cli.ts`).
 */
import type { Command } from "commander";
import { CommanderError } from "commander";
import { exitCodeFor, InvalidInputError, MemosError } from "../../src/core/errors/index.js";

/** An integer flag ≥ `min` (default 1); anything else is an InvalidInputError naming the flag. */
export function intFlag(value: string, flag: string, min = 1): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new InvalidInputError({
      message: `${flag} must be ${min === 1 ? "a positive integer" : `an integer ≥ ${min}`}, got "${value}"`,
      hint: `e.g. ${flag} 10`,
    });
  }
  return n;
}

/** A comma-separated (and/or repeated) list flag, trimmed, empties dropped. */
export function listFlag(values: string | readonly string[] | undefined): string[] {
  const all = values === undefined ? [] : typeof values === "string" ? [values] : values;
  return all
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** A list flag whose entries must come from `allowed`. */
export function choiceListFlag<T extends string>(
  value: string | undefined,
  flag: string,
  allowed: readonly T[],
): T[] | undefined {
  if (value === undefined) return undefined;
  const names = listFlag(value);
  for (const n of names) {
    if (!(allowed as readonly string[]).includes(n)) {
      throw new InvalidInputError({
        message: `unknown value "${n}" in ${flag}`,
        hint: `choose from ${allowed.join(",")}`,
      });
    }
  }
  if (names.length === 0)
    throw new InvalidInputError({ message: `${flag} is empty`, hint: `e.g. ${flag} ${allowed[0]}` });
  return names as T[];
}

/**
 * Runs a configured command as a process's main: a bad flag exits 2 (Commander has printed it),
 * a MemosError prints its message and hint and exits with its code (exitCodeFor), anything else
 * prints the stack and exits 1.
 */
export async function runStandalone(program: Command): Promise<void> {
  try {
    await program.exitOverride().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (MemosError.isInstance(error)) {
      process.stderr.write(`error: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ""}\n`);
    } else {
      process.stderr.write(
        `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exitCode = exitCodeFor(error);
  }
}

/**
 * The options every report-writing benchmark takes: which systems, where reports go, JSON on
 * stdout, and progress bars.
 */
export function addReportOptions(cmd: Command, systemNames: readonly string[], reportsDir: string): Command {
  return cmd
    .option("--systems <list>", `comma-separated subset of ${systemNames.join(",")}`)
    .option("--out <dir>", "report directory", reportsDir)
    .option("--json", "print the report as one JSON object on stdout")
    .option("--no-progress", "no progress bars (they are off anyway when stderr is not a terminal)");
}
