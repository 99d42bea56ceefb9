import { ProviderError, type ProviderErrorOptions } from "./provider-error.js";

const marker = Symbol.for("memos-ts.error.auth");

/** A provider refused the credentials (HTTP 401/403): the hint says which key to set. */
export class AuthenticationError extends ProviderError {
  private readonly [marker] = true;

  constructor(options: ProviderErrorOptions) {
    super({ ...options, code: "auth", retryable: false });
    this.name = "AuthenticationError";
  }

  static override isInstance(error: unknown): error is AuthenticationError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
