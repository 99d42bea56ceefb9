const marker = Symbol.for("memos-ts.error");

/** Machine-readable error codes. Each maps to one CLI exit code (see `exitCodeFor`). */
export type MemosErrorCode =
  | "invalid_input"
  | "not_found"
  | "access_denied"
  | "config"
  | "missing_dependency"
  | "storage"
  | "provider"
  | "auth"
  | "llm_output"
  | "queue_full"
  | "internal";

export interface MemosErrorOptions {
  code?: MemosErrorCode;
  message: string;
  /** What the user can do about it, in one line. */
  hint?: string;
  cause?: unknown;
}

/**
 * Base class of every error MemOS-TS throws on purpose. It always carries a `code`, a
 * `message` and, where we know one, a `hint` telling the user how to fix it.
 *
 * @example
 * try { await mem.search("") } catch (e) {
 *   if (MemosError.isInstance(e)) console.error(`${e.message} (${e.hint})`);
 * }
 */
export class MemosError extends Error {
  private readonly [marker] = true;
  readonly code: MemosErrorCode;
  readonly hint: string | undefined;

  constructor({ code = "internal", message, hint, cause }: MemosErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "MemosError";
    this.code = code;
    this.hint = hint;
  }

  /** True for any MemosError, even one built by another copy of this package. */
  static isInstance(error: unknown): error is MemosError {
    return typeof error === "object" && error !== null && marker in error;
  }

  toJSON(): { code: MemosErrorCode; message: string; hint?: string } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}
