/**
 * Bounded retries with exponential backoff, and per-request timeouts, for every remote provider
 * (OpenAI-compatible servers, Ollama, HTTP rerankers). Client libraries' own retries are turned
 * off so that this one policy governs them all.
 *
 * What is retried — only a {@link ProviderError} with `retryable: true`. Adapters decide that
 * with {@link isRetryableStatus} and {@link isRetryableNetworkError}:
 * - HTTP 408 (request timeout), 409 (OpenAI: lock timeout), 429 (rate limit), and every 5xx;
 * - connection failures that say the server was there but the exchange broke: ECONNRESET,
 *   EPIPE, ETIMEDOUT, ECONNABORTED, EAI_AGAIN (DNS hiccup), UND_ERR_SOCKET,
 *   UND_ERR_CONNECT_TIMEOUT, UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT;
 * - our own per-request timeout.
 *
 * Not retried: ECONNREFUSED (nothing listens there — a local server that is not running stays
 * not running for the next few seconds, and the user should hear "is it running?" at once),
 * ENOTFOUND (wrong host), 400/401/403/404/422 (the same request fails the same way), and the
 * caller's own abort (re-thrown as its `signal.reason`, never wrapped).
 *
 * @module
 */
import { ProviderError } from "../../core/errors/provider-error.js";

export interface RetryOptions {
  /** Retries after the first attempt (so at most `maxRetries + 1` requests). Default 2. */
  maxRetries?: number;
  /** First backoff delay; doubles each retry. Default 500 ms. */
  baseDelayMs?: number;
  /** Cap of one backoff delay. Default 8000 ms. */
  maxDelayMs?: number;
  /** The caller's signal: aborting it stops at once, during a request or a backoff. */
  signal?: AbortSignal;
  /** Per-attempt timeout; exceeding it raises a retryable ProviderError "timed out after N ms". */
  timeoutMs?: number;
  /** Named in the timeout error, e.g. "openai". */
  provider?: string;
  /** Called before each backoff sleep; for logging. */
  onRetry?: (info: { error: ProviderError; attempt: number; delayMs: number }) => void;
  /** Source of jitter in [0, 1); tests pass a constant. Default Math.random. */
  random?: () => number;
}

/**
 * A server-supplied wait (from `Retry-After` / `retry-after-ms`) is honoured when it lies in
 * [0, 60 s]; a longer one falls back to our own backoff (as the Vercel AI SDK does) rather
 * than stall a memory write for minutes.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

const retryAfterByError = new WeakMap<object, number>();

/**
 * Attach the server's requested wait to an error, so {@link withRetry} uses it instead of its
 * own backoff. Returns the error, for `throw withRetryAfter(new ProviderError(...), ms)`.
 */
export function withRetryAfter<E extends object>(error: E, retryAfterMs: number | undefined): E {
  if (retryAfterMs !== undefined) retryAfterByError.set(error, retryAfterMs);
  return error;
}

/** The wait attached by {@link withRetryAfter}, if any. */
export function retryAfterOf(error: object): number | undefined {
  return retryAfterByError.get(error);
}

/**
 * Parse `retry-after-ms` (OpenAI, milliseconds) or `Retry-After` (RFC 9110: delta-seconds or an
 * HTTP date) into milliseconds. Undefined when absent or unparseable.
 */
export function parseRetryAfter(
  headers: Headers | Record<string, string | string[] | undefined> | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const get = (name: string): string | undefined => {
    if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
    const record = headers as Record<string, string | string[] | undefined>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : record[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const ms = get("retry-after-ms");
  if (ms !== undefined && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** HTTP statuses worth retrying: 408, 409, 429 and 5xx. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500);
}

const RETRYABLE_NETWORK_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * The system error code behind a failed fetch (`TypeError: fetch failed` whose `cause` is the
 * socket error, sometimes an AggregateError of one per address), searched through `cause`
 * chains and `errors` lists.
 */
export function networkErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (typeof e !== "object" || e === null || seen.has(e)) continue;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    queue.push((e as { cause?: unknown }).cause);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

/** Whether a connection-level failure is worth retrying (see the module comment for the list). */
export function isRetryableNetworkError(error: unknown): boolean {
  const code = networkErrorCode(error);
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

/** The signal one attempt runs under: the caller's signal plus the per-attempt timeout. */
export interface AttemptSignal {
  signal: AbortSignal | undefined;
  /** True when this attempt was ended by its timeout (not by the caller). */
  timedOut(): boolean;
}

/** Combine the caller's signal with a fresh `AbortSignal.timeout(timeoutMs)`. */
export function attemptSignal(caller: AbortSignal | undefined, timeoutMs: number | undefined): AttemptSignal {
  if (timeoutMs === undefined || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return { signal: caller, timedOut: () => false };
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: caller ? AbortSignal.any([caller, timeout]) : timeout,
    // The caller's own AbortSignal.timeout also aborts with a TimeoutError; that is theirs.
    timedOut: () => timeout.aborted && !caller?.aborted,
  };
}

/** The error a timed-out attempt raises. Retryable: a slow moment may pass. */
export function timeoutError(
  provider: string | undefined,
  timeoutMs: number,
  cause?: unknown,
): ProviderError {
  return new ProviderError({
    message: `${provider ?? "provider"} request timed out after ${timeoutMs} ms`,
    hint: "raise timeoutMs, or check that the server is not overloaded",
    provider,
    retryable: true,
    cause,
  });
}

/** Backoff before retry number `attempt` (0-based): equal jitter over an exponential step. */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 8000;
  const step = Math.min(cap, base * 2 ** attempt);
  // Half fixed, half random: spreads a herd of clients without ever retrying instantly.
  return Math.round(step / 2 + (step / 2) * (options.random ?? Math.random)());
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Run `fn` with bounded retries. Each attempt gets its own signal (caller's signal + timeout).
 * Only a retryable {@link ProviderError} is retried; anything else is thrown as is, and the last
 * error is thrown once retries are spent.
 *
 * @example
 * const res = await withRetry((signal) => fetch(url, { signal }).then(check), {
 *   maxRetries: 2, timeoutMs: 30_000, signal: options.signal, provider: "tei",
 * });
 */
export async function withRetry<T>(
  fn: (signal: AbortSignal | undefined, attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxRetries = Math.max(0, options.maxRetries ?? 2);
  const caller = options.signal;
  for (let attempt = 0; ; attempt++) {
    if (caller?.aborted) throw caller.reason;
    const current = attemptSignal(caller, options.timeoutMs);
    try {
      return await fn(current.signal, attempt);
    } catch (thrown) {
      if (caller?.aborted) throw caller.reason;
      const error =
        current.timedOut() && options.timeoutMs !== undefined
          ? timeoutError(options.provider, options.timeoutMs, thrown)
          : thrown;
      if (!ProviderError.isInstance(error) || !error.retryable || attempt >= maxRetries) throw error;
      const serverWait = retryAfterOf(error);
      const delayMs =
        serverWait !== undefined && serverWait >= 0 && serverWait <= MAX_RETRY_AFTER_MS
          ? serverWait
          : backoffDelay(attempt, options);
      options.onRetry?.({ error, attempt: attempt + 1, delayMs });
      await sleep(delayMs, caller);
    }
  }
}
