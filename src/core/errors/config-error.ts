import { MemosError } from "./memos-error.js";

const marker = Symbol.for("memos-ts.error.config");

/** A configuration is invalid or names an unknown backend. */
export class ConfigError extends MemosError {
  private readonly [marker] = true;

  constructor(options: { message: string; hint?: string; cause?: unknown }) {
    super({ ...options, code: "config" });
    this.name = "ConfigError";
  }

  static override isInstance(error: unknown): error is ConfigError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
