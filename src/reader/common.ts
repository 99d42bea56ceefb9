import { ConfigError, InvalidInputError } from "../core/errors/index.js";
import { nowIso, parseChatTime } from "../core/time.js";
import {
  DEFAULT_OVERLAP_TOKENS,
  DEFAULT_WINDOW_TOKENS,
  type FastReaderOptions,
  type ReadContext,
} from "./types.js";

/** Smallest window that still leaves room for a header line, a speaker and some content. */
export const MIN_WINDOW_TOKENS = 32;

export interface ResolvedSizes {
  windowTokens: number;
  overlapTokens: number;
  maxMessageTokens: number | undefined;
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min)
    throw new ConfigError({ message: `reader ${name} must be an integer >= ${min}, got ${v}` });
}

/** Fill defaults and reject sizes that cannot work (a window too small for its header). */
export function resolveSizes(opts: FastReaderOptions): ResolvedSizes {
  const windowTokens = opts.windowTokens ?? DEFAULT_WINDOW_TOKENS;
  checkInt("windowTokens", windowTokens, MIN_WINDOW_TOKENS);
  // Only the window was given: keep the default overlap from swallowing a small window.
  const overlapTokens = opts.overlapTokens ?? Math.min(DEFAULT_OVERLAP_TOKENS, Math.floor(windowTokens / 2));
  checkInt("overlapTokens", overlapTokens, 0);
  if (overlapTokens >= windowTokens)
    throw new ConfigError({
      message: `reader overlapTokens (${overlapTokens}) must be smaller than windowTokens (${windowTokens})`,
    });
  if (opts.maxMessageTokens !== undefined) checkInt("maxMessageTokens", opts.maxMessageTokens, 1);
  return { windowTokens, overlapTokens, maxMessageTokens: opts.maxMessageTokens };
}

/** ctx.now as ISO, or the current time. */
export function resolveNow(ctx: ReadContext): string {
  if (ctx.now === undefined) return nowIso();
  const iso = parseChatTime(ctx.now);
  if (!iso)
    throw new InvalidInputError({
      message: `now "${ctx.now}" is not a valid time`,
      hint: "use ISO-8601, e.g. 2023-05-08T13:56:00Z",
    });
  return iso;
}

/** Metadata every fast-read item shares. */
export function baseMetadata(ctx: ReadContext, now: string) {
  return {
    user_id: ctx.userId ?? null,
    session_id: ctx.sessionId ?? null,
    cube_id: ctx.cubeId ?? null,
    status: "activated" as const,
    visibility: "private",
    background: "",
    confidence: 0.99,
    created_at: now,
    updated_at: now,
    version: 1,
    history: [],
    usage: [],
    evolve_to: [],
  };
}
