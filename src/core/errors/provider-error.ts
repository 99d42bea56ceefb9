import { MemosError, type MemosErrorCode } from "./memos-error.js";

const marker = Symbol.for("memos-ts.error.provider");

export interface ProviderErrorOptions {
  message: string;
  hint?: string;
  cause?: unknown;
  /** Which provider failed, e.g. "openai", "ollama", "llama-cpp". */
  provider?: string;
  /** HTTP status, where there was one. */
  status?: number;
  /** Whether retrying the same request may succeed (429, 5xx, connection reset). */
  retryable?: boolean;
}

/** A model provider (LLM, embedder, reranker) failed to answer. */
export class ProviderError extends MemosError {
  private readonly [marker] = true;
  readonly provider: string | undefined;
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(options: ProviderErrorOptions & { code?: MemosErrorCode }) {
    super({ ...options, code: options.code ?? "provider" });
    this.name = "ProviderError";
    this.provider = options.provider;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }

  static override isInstance(error: unknown): error is ProviderError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
