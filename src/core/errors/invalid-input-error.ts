import { MemosError } from "./memos-error.js";

const marker = Symbol.for("memos-ts.error.invalid_input");

/** The caller passed something malformed: a bad flag, file, query or schema violation. */
export class InvalidInputError extends MemosError {
  private readonly [marker] = true;

  constructor(options: { message: string; hint?: string; cause?: unknown }) {
    super({ ...options, code: "invalid_input" });
    this.name = "InvalidInputError";
  }

  static override isInstance(error: unknown): error is InvalidInputError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
