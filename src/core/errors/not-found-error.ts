import { MemosError } from "./memos-error.js";

const marker = Symbol.for("memos-ts.error.not_found");

/** A memory, cube, user or file that was asked for does not exist. */
export class NotFoundError extends MemosError {
  private readonly [marker] = true;

  constructor(options: { message: string; hint?: string; cause?: unknown }) {
    super({ ...options, code: "not_found" });
    this.name = "NotFoundError";
  }

  static override isInstance(error: unknown): error is NotFoundError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
