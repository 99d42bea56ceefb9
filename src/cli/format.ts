import pc from "picocolors";
import type { TextualMemoryItem } from "../core/schema/memory.js";

/** The JSON shape of an item in CLI output: the item without its (large) embedding. */
export function itemJson(item: TextualMemoryItem, extra: Record<string, unknown> = {}) {
  const { embedding: _e, ...metadata } = item.metadata;
  return { ...extra, id: item.id, memory: item.memory, metadata };
}

// C0 controls except tab and newline, DEL, C1 controls, and the bidirectional overrides and
// isolates that reorder what a terminal shows (line and paragraph separators too).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text made safe for a terminal: control characters (ESC starting colour, cursor, screen-clear
 * and OSC title sequences, hidden text, carriage returns, bidi overrides) are shown as visible
 * escapes (`\x1b`, `\u202e`) instead of being obeyed; newlines and tabs stay. Human output of
 * memories and messages goes through this; `--json` prints the exact text.
 *
 * @example
 * escapeControl("hi\x1b[2J"); // "hi\\x1b[2J"
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** A few readable lines for one memory (its text and fields escaped, see `escapeControl`). */
export function itemLines(item: TextualMemoryItem, prefix = ""): string {
  const m = item.metadata;
  const when = escapeControl(m.valid_at ?? m.created_at ?? "");
  const head = `${prefix}${pc.dim(escapeControl(item.id))} ${pc.cyan(escapeControl(m.memory_type))} ${pc.dim(when)}${m.version > 1 ? pc.dim(` v${m.version}`) : ""}`;
  const body = escapeControl(item.memory)
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `${head}\n${body}\n`;
}
