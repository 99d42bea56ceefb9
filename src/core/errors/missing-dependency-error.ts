import { MemosError } from "./memos-error.js";

const marker = Symbol.for("memos-ts.error.missing_dependency");

/** An optional package a backend needs is not installed; the message names it. */
export class MissingDependencyError extends MemosError {
  private readonly [marker] = true;

  constructor(options: { message: string; hint?: string; cause?: unknown }) {
    super({ ...options, code: "missing_dependency" });
    this.name = "MissingDependencyError";
  }

  static override isInstance(error: unknown): error is MissingDependencyError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
