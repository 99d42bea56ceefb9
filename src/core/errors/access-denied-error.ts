import { MemosError } from "./memos-error.js";

const marker = Symbol.for("memos-ts.error.access_denied");

/** The acting user may not do this to this cube or memory. */
export class AccessDeniedError extends MemosError {
  private readonly [marker] = true;

  constructor(options: { message: string; hint?: string; cause?: unknown }) {
    super({ ...options, code: "access_denied" });
    this.name = "AccessDeniedError";
  }

  static override isInstance(error: unknown): error is AccessDeniedError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
