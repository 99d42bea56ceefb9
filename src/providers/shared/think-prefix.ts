/**
 * Reasoning models (qwen3, deepseek-r1) open with a `<think>` block; MemOS's
 * `remove_think_prefix` drops it. Here for whole answers and for streams.
 *
 * @module
 */

const THINK_OPEN = "<think>";
const THINK_CLOSE = "</think>";

/**
 * Remove a leading `<think>…</think>` block (and the whitespace after it), as MemOS's
 * `remove_think_prefix` does. An unclosed block means the model was cut off mid-thought: the
 * text is returned unchanged so the caller sees what happened instead of an empty answer.
 *
 * @example
 * stripThinkPrefix("<think>hmm</think>\n\nParis") // "Paris"
 */
export function stripThinkPrefix(text: string): string {
  const start = text.search(/\S/);
  if (start < 0 || !text.startsWith(THINK_OPEN, start)) return text;
  const end = text.indexOf(THINK_CLOSE, start + THINK_OPEN.length);
  if (end < 0) return text;
  return text.slice(end + THINK_CLOSE.length).replace(/^\s+/, "");
}

/**
 * The streaming form of {@link stripThinkPrefix}: feed deltas in, get the deltas to show out.
 * Text is held back only while it may still be (inside) a leading think block; after that,
 * deltas pass straight through. `flush()` returns what was held when the stream ends.
 *
 * @example
 * const filter = createThinkPrefixFilter();
 * for await (const d of deltas) { const out = filter.push(d); if (out) write(out); }
 * write(filter.flush());
 */
export function createThinkPrefixFilter(): { push(delta: string): string; flush(): string } {
  let held = "";
  let state: "start" | "inside" | "after-close" | "pass" = "start";
  return {
    push(delta) {
      if (state === "pass") return delta;
      held += delta;
      if (state === "start") {
        const lead = held.trimStart();
        if (lead.length < THINK_OPEN.length && THINK_OPEN.startsWith(lead)) return "";
        if (!lead.startsWith(THINK_OPEN)) {
          state = "pass";
          const out = held;
          held = "";
          return out;
        }
        state = "inside";
      }
      if (state === "inside") {
        const end = held.indexOf(THINK_CLOSE);
        if (end < 0) return "";
        held = held.slice(end + THINK_CLOSE.length);
        state = "after-close";
      }
      // Drop the blank lines between the block and the answer, then pass everything on.
      held = held.replace(/^\s+/, "");
      if (held === "") return "";
      state = "pass";
      const out = held;
      held = "";
      return out;
    },
    flush() {
      // An unclosed block is returned whole rather than swallowed (see stripThinkPrefix).
      const out = state === "after-close" ? "" : held;
      held = "";
      return out;
    },
  };
}
