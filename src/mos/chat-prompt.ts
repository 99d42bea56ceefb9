import type { TextualMemoryItem } from "../core/schema/memory.js";

/** A memory as numbered in a chat prompt: cite it as `[index:memoryId]`. */
export interface PromptMemory {
  index: number;
  memoryId: string;
  cubeId: string;
  item: TextualMemoryItem;
}

/** The system prompt's opening when the caller gives none (ours; MemOS's says much the same). */
export const DEFAULT_BASE_PROMPT =
  "You are a helpful assistant with a long-term memory of your conversations with the user. " +
  "Use the memories below when they bear on the user's message, answer naturally, and say so when you do not know.";

export const CITATION_RULES =
  "Each memory above starts with its citation tag [number:id]. When a sentence of your answer relies on a memory, " +
  "end it with that tag, e.g. [1:abc], copying the number and the id exactly. Cite only ids you were given above: " +
  "never invent, shorten or alter an id. When memories disagree, prefer the most recent. " +
  "When no memory is relevant, answer without citations.";

/** Longest memory text put in the prompt; longer ones are cut (the whole item is still returned). */
const MAX_MEMORY_CHARS = 800;

/**
 * The system prompt of a chat turn: the base prompt, today's date, the numbered memories
 * (`[i:memId] (date) text`) and the citation rules. A base prompt holding `{memories}` gets the
 * memory block there (MemOS's convention); otherwise the block follows it.
 *
 * @example
 * buildSystemPrompt({ memories: [{ index: 1, memoryId: "m1", cubeId: "c", item }], now: new Date("2025-06-01") });
 * // "You are a helpful assistant ...\n\n# Memories\nToday is 2025-06-01.\n[1:m1] (2025-05-08) I live in Lisbon\n\n# Citing memories\n..."
 */
export function buildSystemPrompt(options: { base?: string; memories: PromptMemory[]; now?: Date }): string {
  const base = options.base ?? DEFAULT_BASE_PROMPT;
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const lines = options.memories.map(memoryLine);
  const block = [
    "# Memories",
    `Today is ${today}.`,
    ...(lines.length > 0 ? lines : ["(no memories relevant to this message)"]),
    "",
    "# Citing memories",
    CITATION_RULES,
  ].join("\n");
  return base.includes("{memories}") ? base.replace("{memories}", block) : `${base}\n\n${block}`;
}

/** `[i:memId] (date) text`, continuation lines indented so each memory stays one block. */
export function memoryLine(m: PromptMemory): string {
  const date = memoryDate(m.item);
  let text = m.item.memory.trim();
  if (text.length > MAX_MEMORY_CHARS) text = `${text.slice(0, MAX_MEMORY_CHARS)}…`;
  return `[${m.index}:${m.memoryId}]${date ? ` (${date})` : ""} ${text.replace(/\s*\n\s*/g, "\n    ")}`;
}

/** The day a memory speaks of: when it became valid, else when it was said, else when it was stored. */
export function memoryDate(item: TextualMemoryItem): string | undefined {
  const m = item.metadata;
  const said = m.sources.find((s) => s.chat_time)?.chat_time;
  const when = m.valid_at ?? said ?? m.memory_time ?? m.created_at;
  if (!when) return undefined;
  return /^\d{4}-\d{2}-\d{2}/.test(when) ? when.slice(0, 10) : when;
}
