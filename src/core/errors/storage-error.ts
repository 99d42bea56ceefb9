import { MemosError } from "./memos-error.js";

const marker = Symbol.for("memos-ts.error.storage");

/** The store failed or found itself inconsistent (e.g. an embedding dimension mismatch). */
export class StorageError extends MemosError {
  private readonly [marker] = true;

  constructor(options: { message: string; hint?: string; cause?: unknown }) {
    super({ ...options, code: "storage" });
    this.name = "StorageError";
  }

  static override isInstance(error: unknown): error is StorageError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
