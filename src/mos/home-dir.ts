import { accessSync, constants, lstatSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { StorageError } from "../core/errors/storage-error.js";

// Kernel pseudo-filesystems: nothing can be stored there, and a recursive mkdir under /proc can
// loop for ever on Node 20.
const PSEUDO = ["/proc", "/sys", "/dev"];

const HINT = "pass --dir (or set MEMOS_HOME) to a directory you can write, e.g. ~/.memos";

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

/** lstat that says "absent" instead of throwing ENOENT (other errors: a StorageError naming the path). */
function inspect(path: string) {
  try {
    return lstatSync(path);
  } catch (error) {
    if (code(error) === "ENOENT") return undefined;
    if (code(error) === "ENOTDIR") return "notdir" as const;
    throw new StorageError({
      message: `cannot inspect ${path}: ${code(error) ?? String(error)}`,
      hint: HINT,
      cause: error,
    });
  }
}

/**
 * Check a MEMOS_HOME path before anything is created or opened there, so a bad `--dir` is a clear
 * typed error at once: a file, a dangling symbolic link, a path through a file, a pseudo-filesystem
 * (/proc, /sys, /dev), or a directory (or, to create one, its nearest existing parent) that this
 * process cannot read and write. Returns the absolute path.
 *
 * @example
 * checkHomeDir("./.memos", { create: true }); // "/work/app/.memos"
 */
export function checkHomeDir(dir: string, options: { create: boolean }): string {
  const abs = resolve(dir);
  const stat = inspect(abs);
  if (stat === "notdir") return refuseThroughFile(abs);
  if (stat?.isSymbolicLink()) {
    let target: string;
    try {
      target = realpathSync(abs);
    } catch {
      throw new InvalidInputError({
        message: `MEMOS_HOME ${abs} is a symbolic link to something that does not exist`,
        hint: `create its target, or ${HINT}`,
      });
    }
    return checkHomeDir(target, options) && abs;
  }
  if (stat && !stat.isDirectory())
    throw new InvalidInputError({ message: `MEMOS_HOME ${abs} is a file, not a directory`, hint: HINT });
  // The directory itself, or (to create it) its nearest existing ancestor, decides the rest.
  let existing = abs;
  while (!stat && inspect(existing) === undefined && dirname(existing) !== existing)
    existing = dirname(existing);
  const real = (() => {
    try {
      return realpathSync(existing);
    } catch {
      return existing;
    }
  })();
  if (PSEUDO.some((p) => real === p || real.startsWith(p + sep)))
    throw new InvalidInputError({
      message: `MEMOS_HOME ${abs} is on a kernel pseudo-filesystem (${real}), which cannot hold files`,
      hint: HINT,
    });
  if (!stat && !options.create) return abs; // "no home here": the registry says how to make one
  if (!stat && !statSync(existing).isDirectory()) return refuseThroughFile(abs);
  const need = stat ? constants.R_OK | constants.W_OK | constants.X_OK : constants.W_OK | constants.X_OK;
  try {
    accessSync(existing, need);
  } catch (error) {
    throw new StorageError({
      message: stat
        ? `cannot use MEMOS_HOME ${abs}: permission denied (${code(error) ?? "access"})`
        : `cannot create MEMOS_HOME ${abs}: ${existing} is not writable (${code(error) ?? "access"})`,
      hint: `check the permissions of ${existing}, or ${HINT}`,
      cause: error,
    });
  }
  return abs;
}

function refuseThroughFile(abs: string): never {
  let file = abs;
  while (dirname(file) !== file) {
    const s = inspect(dirname(file));
    file = dirname(file);
    if (s && s !== "notdir" && !s.isDirectory()) break;
  }
  throw new InvalidInputError({
    message: `MEMOS_HOME ${abs} cannot be a directory: ${file} is a file`,
    hint: HINT,
  });
}
