/**
 * Map errors from the `ollama` package (its ResponseError carries `status_code`; a failed fetch
 * carries the socket error as `cause`) onto ours, with hints a user can act on: a refused
 * connection → "is Ollama running?", 404 → "ollama pull <model>".
 *
 * @module
 */
import { AuthenticationError } from "../../core/errors/authentication-error.js";
import { errorMessage } from "../../core/errors/error-message.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import { isRetryableNetworkError, isRetryableStatus, networkErrorCode } from "../shared/retry.js";

export interface OllamaErrorContext {
  provider: string;
  modelId: string;
  host: string;
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "AbortError" || name === "TimeoutError";
}

/** Translate an error thrown by the `ollama` client. Aborts pass through for withRetry to judge. */
export function mapOllamaError(error: unknown, ctx: OllamaErrorContext): unknown {
  if (MemosError.isInstance(error) || isAbort(error)) return error;
  const { provider, modelId, host } = ctx;
  const e = error as { name?: unknown; status_code?: unknown; error?: unknown; message?: unknown };
  if (e?.name === "ResponseError" && typeof e.status_code === "number") {
    const status = e.status_code;
    const message = typeof e.error === "string" ? e.error : String(e.message);
    if (status === 401 || status === 403) {
      return new AuthenticationError({
        message: `${provider} at ${host} refused the request (${status}): ${message}`,
        hint: "for ollama.com set OLLAMA_API_KEY; for a proxied server pass its Authorization header in `headers`",
        provider,
        status,
        cause: error,
      });
    }
    if (status === 404) {
      return new ProviderError({
        message: `${provider}: ${message}`,
        hint: `ollama pull ${modelId}`,
        provider,
        status,
        cause: error,
      });
    }
    return new ProviderError({
      message: `${provider} answered ${status}: ${message}`,
      provider,
      status,
      retryable: isRetryableStatus(status),
      cause: error,
    });
  }
  const code = networkErrorCode(error);
  if (code !== undefined || (error instanceof TypeError && /fetch failed/i.test(error.message))) {
    return new ProviderError({
      message: `could not reach Ollama at ${host}${code ? ` (${code})` : ""}`,
      hint: "is Ollama running? (`ollama serve`) set OLLAMA_HOST if it listens elsewhere",
      provider,
      retryable: isRetryableNetworkError(error),
      cause: error,
    });
  }
  // The stream iterator throws plain Errors for `{"error": ...}` lines and for a stream that
  // ends without `done`.
  const text = errorMessage(error);
  return new ProviderError({ message: `${provider} failed: ${text}`, provider, cause: error });
}
