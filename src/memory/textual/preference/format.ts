import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import type { SearchHit } from "../types.js";

/**
 * A compact block of preferences for a chat system prompt, explicit ones first (a stated
 * preference outranks an inferred one, as in MemOS's assembler), each once; preferences that a
 * newer one overrode are left out. Empty string when nothing is left, so callers can skip it.
 *
 * @example
 * formatPreferencesForPrompt(hits);
 * // "User preferences:\n- The user is vegetarian (explicit)\n- The user likes short answers (implicit)"
 */
export function formatPreferencesForPrompt(hits: (SearchHit | TextualMemoryItem)[]): string {
  const items = hits.map((h) => ("item" in h ? h.item : h)).filter((i) => !i.metadata.invalid_at);
  const seen = new Set<string>();
  const lines: { explicit: boolean; line: string }[] = [];
  for (const item of items) {
    const text = oneLine(
      (typeof item.metadata.preference === "string" && item.metadata.preference) || item.memory,
    );
    const key = text.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const explicit = item.metadata.preference_type !== "implicit_preference";
    lines.push({ explicit, line: `- ${text} (${explicit ? "explicit" : "implicit"})` });
  }
  if (lines.length === 0) return "";
  const ordered = [...lines.filter((l) => l.explicit), ...lines.filter((l) => !l.explicit)];
  return `User preferences:\n${ordered.map((l) => l.line).join("\n")}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
