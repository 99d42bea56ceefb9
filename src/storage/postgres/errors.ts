import { errorMessage } from "../../core/errors/error-message.js";
import { MemosError, StorageError } from "../../core/errors/index.js";

/** Hints for the PostgreSQL failures a user can do something about, by SQLSTATE class or code. */
const HINTS: [RegExp, string][] = [
  [/^08/, "the connection to PostgreSQL failed; check that the server is running and the URL is right"],
  [/^28/, "PostgreSQL refused the credentials; check the user and password in the URL"],
  [/^3D000$/, "the database in the URL does not exist; create it (createdb) or fix the URL"],
  [
    /^42501$/,
    "the database user lacks a privilege the store needs (CREATE on the schema, or the vector extension)",
  ],
  [/^(40001|40P01)$/, "a concurrent transaction conflicted with this one; retry"],
  [/^53/, "the PostgreSQL server is out of a resource (disk, memory, connections); free some and retry"],
  [/^57P/, "the PostgreSQL server is shutting down or restarting; retry when it is back"],
  [/^23/, "the write broke a consistency rule of the store (duplicate id or missing memory)"],
  [/^(58P01|0A000)$/, "the server lacks the pgvector extension: install pgvector for this PostgreSQL"],
];

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EPIPE",
]);

/**
 * Any error leaving the store is a MemosError: ours pass through, the driver's become a
 * StorageError with a hint picked by SQLSTATE (or network error code); the cause is kept.
 */
export function toPgStoreError(error: unknown): MemosError {
  if (MemosError.isInstance(error)) return error;
  const code =
    typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "";
  const message = errorMessage(error);
  let hint = HINTS.find(([re]) => re.test(code))?.[1];
  if (NETWORK_CODES.has(code))
    hint = "no PostgreSQL server answers at the store's URL; start it or fix the URL";
  if (/Connection terminated|Too many connections/i.test(message)) {
    hint = "the server closed the connection; check that it is running and accepts this many connections";
  }
  return new StorageError({
    message: `postgres store: ${message}${code ? ` (${code})` : ""}`,
    hint: hint ?? "this looks like a bug in the postgres store; please report it with the message",
    cause: error,
  });
}
