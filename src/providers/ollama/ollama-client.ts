/**
 * Settings shared by the Ollama chat model and embedder, and per-request clients from the
 * lazily imported `ollama` package.
 *
 * @module
 */
import type * as OllamaModule from "ollama";
import { importOptional } from "../shared/lazy.js";
import { parseRetryAfter } from "../shared/retry.js";

export type { OllamaModule };
export type OllamaClient = OllamaModule.Ollama;

/** Options of {@link createOllama}. */
export interface OllamaProviderOptions {
  /** Server URL; default OLLAMA_HOST (read on first use), else http://127.0.0.1:11434. */
  host?: string;
  /** Custom fetch (proxies, tests). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers on every request (e.g. Authorization for a proxied or ollama.com server). */
  headers?: Record<string, string>;
  /** Per-request timeout; default 600 000 ms (local models on a CPU can be slow). */
  timeoutMs?: number;
  /** Retries of retryable failures (5xx, connection resets, timeouts); default 2. */
  maxRetries?: number;
  /** Provider name on models and errors; default "ollama". */
  name?: string;
}

export const DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434";
export const DEFAULT_OLLAMA_TIMEOUT_MS = 600_000;

export interface OllamaRequestClient {
  client: OllamaClient;
  module: typeof OllamaModule;
  /**
   * The Retry-After of the last failed response, in ms. The package's ResponseError drops the
   * headers, so the fetch wrapper keeps this one for withRetry.
   */
  retryAfter(): number | undefined;
}

export interface OllamaConnection {
  readonly provider: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  host(): string;
  /**
   * A client whose every request carries `signal`. The `ollama` package takes no per-request
   * signal for non-streamed calls, so the signal is bound into the fetch it is given; making a
   * client is cheap (no connection is opened).
   */
  client(signal: AbortSignal | undefined): Promise<OllamaRequestClient>;
}

/** Resolve options into a connection; nothing is imported or read from the environment yet. */
export function createOllamaConnection(options: OllamaProviderOptions = {}): OllamaConnection {
  const host = () => {
    const fromEnv = process.env.OLLAMA_HOST?.trim();
    return options.host ?? (fromEnv ? fromEnv : DEFAULT_OLLAMA_HOST);
  };
  return {
    provider: options.name ?? "ollama",
    timeoutMs: options.timeoutMs ?? DEFAULT_OLLAMA_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? 2,
    host,
    async client(signal) {
      const module = await importOptional<typeof OllamaModule>("ollama", "the Ollama backend");
      const base = options.fetch ?? globalThis.fetch;
      let retryAfter: number | undefined;
      const fetch: typeof globalThis.fetch = async (input, init) => {
        const own = init?.signal ?? undefined;
        const combined = own && signal ? AbortSignal.any([own, signal]) : (signal ?? own);
        const response = await base(input, { ...init, ...(combined ? { signal: combined } : {}) });
        if (!response.ok) retryAfter = parseRetryAfter(response.headers);
        return response;
      };
      const client = new module.Ollama({
        host: host(),
        fetch,
        ...(options.headers ? { headers: options.headers } : {}),
      });
      return { client, module, retryAfter: () => retryAfter };
    },
  };
}
