/**
 * The memory block of a chat's system prompt, shared by the chat prompt (mos/chat-prompt.ts) and
 * activation memory: a KV state is the evaluation of exactly this text, so both must build it the
 * same way, byte for byte.
 *
 * @module
 */
import type { TextualMemoryItem } from "../../core/schema/memory.js";

/** The system prompt's opening when the caller gives none (ours; MemOS's says much the same). */
export const DEFAULT_BASE_PROMPT =
  "You are a helpful assistant with a long-term memory of your conversations with the user. " +
  "Use the memories below when they bear on the user's message, answer naturally, and say so when you do not know.";

/** Where a base prompt wants the memory block (MemOS's convention). */
export const MEMORIES_PLACEHOLDER = "{memories}";

/** Longest memory text put in the prompt; longer ones are cut (the whole item is still returned). */
const MAX_MEMORY_CHARS = 800;

/** A memory as it is numbered in a prompt. */
export interface NumberedMemory {
  index: number;
  memoryId: string;
  item: TextualMemoryItem;
}

/** `[i:memId] (date) text`, continuation lines indented so each memory stays one block. */
export function memoryLine(m: NumberedMemory): string {
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

/**
 * The stable opening of a system prompt whose memories are pinned (activation memory): the base
 * prompt up to `{memories}` (or all of it), then `# Memories` and the pinned memories numbered
 * from 1. Nothing in it changes from turn to turn (no date, no query), so a KV state of it — or a
 * server's prefix cache — stays valid until the memories themselves change. What varies follows
 * it (see `mos/chat-prompt.ts`).
 *
 * @example
 * memoryPrefix({ memories: [{ index: 1, memoryId: "m1", item }] });
 * // "You are a helpful assistant ...\n\n# Memories\n[1:m1] (2025-05-08) I live in Lisbon"
 */
export function memoryPrefix(options: { base?: string; memories: NumberedMemory[] }): string {
  const base = options.base ?? DEFAULT_BASE_PROMPT;
  const at = base.indexOf(MEMORIES_PLACEHOLDER);
  const head = at >= 0 ? base.slice(0, at) : `${base}\n\n`;
  return [`${head}# Memories`, ...options.memories.map(memoryLine)].join("\n");
}

/** What follows {@link memoryPrefix} of a placeholder base prompt (empty when the base has none). */
export function basePromptAfterMemories(base: string = DEFAULT_BASE_PROMPT): string {
  const at = base.indexOf(MEMORIES_PLACEHOLDER);
  return at >= 0 ? base.slice(at + MEMORIES_PLACEHOLDER.length) : "";
}
