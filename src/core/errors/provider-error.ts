import { MemosError } from "./memos-error.js";

const marker = Symbol.for("memos-ts.error.provider");

/** A model provider (LLM, embedder, reranker) failed to answer. */
export class ProviderError extends MemosError {
  private readonly [marker] = true;

  constructor(options: { message: string; hint?: string; cause?: unknown }) {
    super({ ...options, code: "provider" });
    this.name = "ProviderError";
  }

  static override isInstance(error: unknown): error is ProviderError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
