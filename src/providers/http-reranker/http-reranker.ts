/**
 * Reranker over an HTTP rerank server (TEI, Cohere, Jina, BGE-style). Cross-encoder scores are
 * per (query, document) pair, so large inputs are split into batches and the scores joined.
 *
 * @module
 */
import { ZodError } from "zod";
import { AuthenticationError } from "../../core/errors/authentication-error.js";
import { ConfigError } from "../../core/errors/config-error.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import {
  isRetryableNetworkError,
  isRetryableStatus,
  networkErrorCode,
  parseRetryAfter,
  withRetry,
  withRetryAfter,
} from "../shared/retry.js";
import {
  RERANK_STYLE_SPECS,
  RERANK_STYLES,
  type RerankStyle,
  type RerankStyleSpec,
} from "./http-rerank-styles.js";

/** Options of {@link createHttpReranker}: the endpoint, its API style (TEI, Cohere, Jina, BGE) and auth. */
export interface HttpRerankerOptions {
  /** Wire format; see `styles.ts`. Default "tei". */
  style?: RerankStyle;
  /**
   * TEI: the server's base URL (".../rerank" is appended unless present). Cohere/Jina/BGE: the
   * full endpoint; Cohere and Jina default to their hosted APIs.
   */
  url?: string;
  /** Bearer token; default COHERE_API_KEY / JINA_API_KEY for those styles. */
  apiKey?: string;
  /** Model name (Cohere default "rerank-v3.5", Jina "jina-reranker-v2-base-multilingual"). */
  model?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
  /** Per-request timeout; default 60 000 ms. */
  timeoutMs?: number;
  /** Retries of retryable failures; default 2. */
  maxRetries?: number;
  /** Documents per request; default by style (TEI 32, BGE 64, Cohere/Jina 1000). */
  maxBatch?: number;
}

class HttpReranker implements Reranker {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  private readonly spec: RerankStyleSpec;
  private readonly endpoint: string;
  private readonly maxBatch: number;

  constructor(
    private readonly style: RerankStyle,
    private readonly options: HttpRerankerOptions,
  ) {
    this.spec = RERANK_STYLE_SPECS[style];
    const url = options.url ?? this.spec.defaultUrl;
    if (!url) {
      throw new ConfigError({
        message: `the ${style} reranker needs a url`,
        hint:
          style === "tei"
            ? 'e.g. {url: "http://localhost:8080"}'
            : 'e.g. {url: "http://localhost:8000/v1/rerank"}',
      });
    }
    try {
      new URL(url);
    } catch {
      throw new ConfigError({
        message: `invalid reranker url "${url}"`,
        hint: "give an absolute http(s) URL",
      });
    }
    this.endpoint = this.spec.endpoint(url);
    this.provider = `http-${style}`;
    this.modelId = options.model ?? this.spec.defaultModel ?? new URL(url).host;
    this.maxBatch = Math.max(1, options.maxBatch ?? this.spec.maxBatch);
  }

  async doRerank(
    query: string,
    documents: string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<number[]> {
    const scores: number[] = [];
    for (let start = 0; start < documents.length; start += this.maxBatch) {
      scores.push(
        ...(await this.rerankBatch(query, documents.slice(start, start + this.maxBatch), options.signal)),
      );
    }
    return scores;
  }

  private apiKey(): string | undefined {
    const fromEnv = this.spec.apiKeyEnv ? process.env[this.spec.apiKeyEnv]?.trim() : undefined;
    return this.options.apiKey ?? (fromEnv ? fromEnv : undefined);
  }

  private async rerankBatch(
    query: string,
    documents: string[],
    signal: AbortSignal | undefined,
  ): Promise<number[]> {
    const body = this.spec.body(query, documents, this.options.model ?? this.spec.defaultModel);
    const json = await withRetry((attemptSignal) => this.post(body, attemptSignal), {
      maxRetries: this.options.maxRetries ?? 2,
      timeoutMs: this.options.timeoutMs ?? 60_000,
      signal,
      provider: this.provider,
    });
    let pairs: Array<{ index: number; score: number }>;
    try {
      pairs = this.spec.parse(json);
    } catch (error) {
      const issue = error instanceof ZodError ? error.issues[0] : undefined;
      throw new ProviderError({
        message: `${this.provider} at ${this.endpoint} answered in an unexpected shape${issue ? ` (${issue.path.join(".") || "(root)"}: ${issue.message})` : ""}`,
        hint: `check the reranker style (one of ${RERANK_STYLES.join(", ")})`,
        provider: this.provider,
        cause: error,
      });
    }
    // Servers answer in score order (TEI, Cohere); put the scores back in the documents' order.
    const scores = new Array<number | undefined>(documents.length).fill(undefined);
    for (const { index, score } of pairs) {
      if (index < documents.length) scores[index] = score;
    }
    const missing = scores.indexOf(undefined);
    if (missing >= 0) {
      throw new ProviderError({
        message: `${this.provider} returned no score for document ${missing} of ${documents.length}`,
        provider: this.provider,
      });
    }
    return scores as number[];
  }

  private async post(body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<unknown> {
    const key = this.apiKey();
    let response: Response;
    try {
      response = await (this.options.fetch ?? globalThis.fetch)(this.endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...this.options.headers,
        },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      const name = (error as { name?: unknown } | null)?.name;
      if (MemosError.isInstance(error) || name === "AbortError" || name === "TimeoutError") throw error;
      const code = networkErrorCode(error);
      throw new ProviderError({
        message: `could not reach the ${this.style} reranker at ${this.endpoint}${code ? ` (${code})` : ""}`,
        hint: "is the rerank server running? check the url",
        provider: this.provider,
        retryable: isRetryableNetworkError(error),
        cause: error,
      });
    }
    const text = await response.text();
    if (!response.ok) throw this.statusError(response, text);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ProviderError({
        message: `${this.provider} at ${this.endpoint} answered with invalid JSON: ${text.slice(0, 200)}`,
        provider: this.provider,
        cause: error,
      });
    }
  }

  private statusError(response: Response, text: string): ProviderError {
    const status = response.status;
    const detail = serverMessage(text);
    if (status === 401 || status === 403) {
      const env = this.spec.apiKeyEnv;
      return new AuthenticationError({
        message: `${this.provider} refused the request (${status}): ${detail}`,
        hint: env ? `set ${env} to a valid key (or pass apiKey)` : "pass a valid apiKey",
        provider: this.provider,
        status,
      });
    }
    const retryable = isRetryableStatus(status);
    return withRetryAfter(
      new ProviderError({
        message: `${this.provider} answered ${status}: ${detail}`,
        hint: status === 413 ? "lower maxBatch (TEI: --max-client-batch-size)" : undefined,
        provider: this.provider,
        status,
        retryable,
      }),
      retryable ? parseRetryAfter(response.headers) : undefined,
    );
  }
}

/** `error` / `message` from a JSON error body, else the start of the body. */
function serverMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    for (const v of [json.error, json.message, json.detail]) {
      if (typeof v === "string" && v) return v;
      if (v && typeof v === "object" && typeof (v as { message?: unknown }).message === "string") {
        return (v as { message: string }).message;
      }
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 300) || "(empty body)";
}

/**
 * Make a reranker that calls an HTTP rerank server. Scores come back in the documents' order.
 *
 * @example
 * // text-embeddings-inference: `docker run ... --model-id BAAI/bge-reranker-v2-m3`
 * const reranker = createHttpReranker({ style: "tei", url: "http://localhost:8080" });
 * const scores = await reranker.doRerank("where do I live?", ["I live in Lisbon", "I like tea"]);
 *
 * @example
 * const cohere = createHttpReranker({ style: "cohere", model: "rerank-v3.5" }); // COHERE_API_KEY
 */
export function createHttpReranker(options: HttpRerankerOptions = {}): Reranker {
  const style = options.style ?? "tei";
  if (!RERANK_STYLES.includes(style)) {
    throw new ConfigError({
      message: `unknown reranker style "${style}"`,
      hint: `use one of ${RERANK_STYLES.join(", ")}`,
    });
  }
  return new HttpReranker(style, options);
}
