import { errorMessage } from "../../core/errors/error-message.js";
import { MemosError, StorageError } from "../../core/errors/index.js";

/** Hints for the SQLite failures a user can do something about, by primary result code. */
const HINTS: Record<string, string> = {
  SQLITE_BUSY: "another process holds this cube's write lock for too long; retry, or stop the other writer",
  SQLITE_LOCKED: "another statement or process holds a lock on this cube; retry",
  SQLITE_READONLY: "the cube file or its directory is read-only; check permissions",
  SQLITE_FULL: "the disk is full; free space and retry",
  SQLITE_IOERR: "the disk failed to read or write the cube file; check the disk and free space",
  SQLITE_CORRUPT: "the cube file is damaged; restore it from a `memos dump` export",
  SQLITE_NOTADB: "this file is not a memos-ts cube (not an SQLite database); check the path",
  SQLITE_CANTOPEN: "the cube file cannot be opened; check that its directory exists and is writable",
  SQLITE_CONSTRAINT: "the write broke a consistency rule of the store (duplicate id or missing memory)",
};

/**
 * Any error leaving the store is a MemosError: ours pass through, SQLite's become StorageError
 * with a hint picked by result code, anything else is wrapped too (the cause is kept).
 */
export function toStoreError(error: unknown): MemosError {
  if (MemosError.isInstance(error)) return error;
  const code =
    typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "";
  const primary = Object.keys(HINTS).find((k) => code === k || code.startsWith(`${k}_`));
  const message = errorMessage(error);
  return new StorageError({
    message: `sqlite store: ${message}${code ? ` (${code})` : ""}`,
    hint: primary
      ? HINTS[primary]
      : "this looks like a bug in the sqlite store; please report it with the message",
    cause: error,
  });
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
