/**
 * Map the `openai` package's errors onto ours, so callers handle one family of errors whatever
 * the backend: 401/403 → AuthenticationError (hint: the preset's key variable), 408/409/429/5xx
 * and connection resets → retryable ProviderError (with the server's Retry-After), 400/404/422
 * → ProviderError carrying the server's message.
 *
 * @module
 */
import { AuthenticationError } from "../../core/errors/authentication-error.js";
import { errorMessage } from "../../core/errors/error-message.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import {
  isRetryableNetworkError,
  isRetryableStatus,
  networkErrorCode,
  parseRetryAfter,
  timeoutError,
  withRetryAfter,
} from "../shared/retry.js";
import type { OpenAIModule } from "./openai-client.js";
import type { OpenAIPreset } from "./openai-presets.js";

export interface OpenAIErrorContext {
  preset: OpenAIPreset;
  provider: string;
  modelId: string;
  baseURL: string;
  timeoutMs: number;
}

/** The server's own words: the JSON error body's message, else the client's message. */
function serverMessage(error: OpenAIModule.APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === "string" && body.message) return body.message;
  return error.message.replace(/^\d{3}\s+/, "");
}

/**
 * Translate an error thrown by the `openai` client. Our own errors and the caller's abort pass
 * through unchanged (withRetry decides what an abort means: the caller's, or our timeout).
 */
export function mapOpenAIError(
  error: unknown,
  module: typeof OpenAIModule,
  ctx: OpenAIErrorContext,
): unknown {
  if (MemosError.isInstance(error)) return error;
  const { provider, preset } = ctx;
  if (error instanceof module.APIUserAbortError) return error;
  if (error instanceof module.APIConnectionTimeoutError) return timeoutError(provider, ctx.timeoutMs, error);
  if (error instanceof module.APIConnectionError) {
    const code = networkErrorCode(error);
    const local = preset.placeholderKey !== undefined || /\/\/(localhost|127\.|\[::1\])/.test(ctx.baseURL);
    return new ProviderError({
      message: `could not reach ${provider} at ${ctx.baseURL}${code ? ` (${code})` : ""}`,
      hint: local ? `is the server running? ${preset.docs}` : "check the network and the base URL",
      provider,
      retryable: isRetryableNetworkError(error),
      cause: error,
    });
  }
  if (error instanceof module.APIError && typeof error.status === "number") {
    const status = error.status;
    const message = serverMessage(error);
    if (status === 401 || status === 403) {
      const keyVar = preset.apiKeyEnv;
      return new AuthenticationError({
        message: `${provider} refused the request (${status}): ${message}`,
        hint: keyVar
          ? `set ${keyVar} to a valid key (or pass apiKey); keys: ${preset.docs}`
          : "pass a valid apiKey",
        provider,
        status,
        cause: error,
      });
    }
    if (isRetryableStatus(status)) {
      return withRetryAfter(
        new ProviderError({
          message: `${provider} answered ${status}: ${message}`,
          hint:
            status === 429
              ? "rate limited: wait, lower concurrency, or raise your quota"
              : "the server failed; try again later",
          provider,
          status,
          retryable: true,
          cause: error,
        }),
        parseRetryAfter(error.headers),
      );
    }
    return new ProviderError({
      message: `${provider} answered ${status}: ${message}`,
      hint:
        status === 404 ? `check the model name "${ctx.modelId}" and the base URL ${ctx.baseURL}` : undefined,
      provider,
      status,
      retryable: false,
      cause: error,
    });
  }
  const text = errorMessage(error);
  return new ProviderError({
    message: `${provider} request failed: ${text}`,
    provider,
    retryable: false,
    cause: error,
  });
}
