import { MemosError } from "../core/errors/memos-error.js";
import type { TaskError } from "./types.js";

/** Longest message recorded in a task: enough to read, never a dump. */
const MAX_MESSAGE = 1000;

/**
 * Error codes a retry cannot fix (the same input, rights or setup fail again the same way); a
 * task failing with one goes to the dead letter at once.
 */
export const NON_RETRYABLE_CODES: ReadonlySet<string> = new Set([
  "invalid_input",
  "not_found",
  "access_denied",
  "auth",
  "config",
  "missing_dependency",
  "unknown_label",
]);

/**
 * What a failed handler left, as a task records it: a MemosError's code, message and hint; any
 * other error as `internal` with its message. Never a stack trace.
 */
export function toTaskError(error: unknown): TaskError {
  if (MemosError.isInstance(error)) {
    return {
      code: error.code,
      message: clip(error.message),
      ...(error.hint ? { hint: clip(error.hint) } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: "internal", message: clip(message || "the handler failed without a message") };
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
