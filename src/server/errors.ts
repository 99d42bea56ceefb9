import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { MemosError, type MemosErrorCode } from "../core/errors/memos-error.js";
import { logger } from "../core/logger.js";

/**
 * An error that carries its HTTP status (auth, rate limit, body size): the server's own
 * conditions, next to the library's MemosErrors, which are mapped by code.
 */
export class HttpError extends MemosError {
  constructor(
    readonly status: ContentfulStatusCode,
    options: {
      code: MemosErrorCode | "unauthorized" | "rate_limited" | "payload_too_large";
      message: string;
      hint?: string;
    },
    /** Extra response headers (Retry-After, WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
  ) {
    super({ code: options.code as MemosErrorCode, message: options.message, hint: options.hint });
    this.name = "HttpError";
  }
}

const STATUS: Record<MemosErrorCode, ContentfulStatusCode> = {
  invalid_input: 400,
  not_found: 404,
  access_denied: 403,
  config: 503,
  missing_dependency: 503,
  storage: 500,
  // A provider's refused key or failure is upstream trouble, not the client's.
  provider: 502,
  auth: 502,
  llm_output: 502,
  queue_full: 503,
  internal: 500,
};

/** The error body: MemOS's envelope (`code` is the HTTP status, `data` null) with our `error` code and `hint`. */
export interface ErrorBody {
  code: number;
  message: string;
  hint?: string;
  error: string;
  data: null;
}

/** Status and body for any thrown value; never a stack trace, never a raw library message for unknown errors. */
export function errorResponse(error: unknown): {
  status: ContentfulStatusCode;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  if (error instanceof HttpError) {
    return { status: error.status, body: bodyOf(error.status, error), headers: error.headers };
  }
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own 4xx (a malformed JSON body, ...): its message is ours to show.
    const status = error.status as ContentfulStatusCode;
    return {
      status,
      body: {
        code: status,
        message: error.message || "bad request",
        hint: "send a JSON body (Content-Type: application/json)",
        error: "invalid_input",
        data: null,
      },
      headers: {},
    };
  }
  if (MemosError.isInstance(error)) {
    const status = STATUS[error.code] ?? 500;
    if (status >= 500) logger.warn({ err: error }, "server: request failed");
    return { status, body: bodyOf(status, error), headers: {} };
  }
  logger.error({ err: error }, "server: unexpected error");
  return {
    status: 500,
    body: {
      code: 500,
      message: "internal error",
      hint: "the server logged the cause; rerun with MEMOS_LOG_LEVEL=debug and report it",
      error: "internal",
      data: null,
    },
    headers: {},
  };
}

function bodyOf(status: number, error: MemosError): ErrorBody {
  return {
    code: status,
    message: error.message,
    ...(error.hint ? { hint: error.hint } : {}),
    error: error.code,
    data: null,
  };
}

/** Hono's `onError`: the envelope with the right status. */
export function onError(error: unknown, c: Context): Response {
  const { status, body, headers } = errorResponse(error);
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json(body, status);
}

/** Hono's `notFound`: an unknown route is a 404 in the same envelope. */
export function onNotFound(c: Context): Response {
  return c.json(
    {
      code: 404,
      message: `no route ${c.req.method} ${c.req.path}`,
      hint: "see /docs or /openapi.json for the routes",
      error: "not_found",
      data: null,
    },
    404,
  );
}
