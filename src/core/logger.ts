import { type Logger, pino } from "pino";

/**
 * The library logs through pino and is quiet by default (level "silent"); set MEMOS_LOG_LEVEL
 * (e.g. "debug") to see what it does. Logs go to stderr so `--json` output stays clean.
 */
export const logger: Logger = pino(
  { name: "memos", level: process.env.MEMOS_LOG_LEVEL ?? "silent" },
  pino.destination(2),
);
export type { Logger };
