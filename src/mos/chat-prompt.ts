import type { TextualMemoryItem } from "../core/schema/memory.js";
import {
  basePromptAfterMemories,
  DEFAULT_BASE_PROMPT,
  memoryLine,
  memoryPrefix,
} from "../memory/activation/memory-block.js";

export { DEFAULT_BASE_PROMPT, memoryDate, memoryLine } from "../memory/activation/memory-block.js";

/** A memory as numbered in a chat prompt: cite it as `[index:memoryId]`. */
export interface PromptMemory {
  index: number;
  memoryId: string;
  cubeId: string;
  item: TextualMemoryItem;
}

export const CITATION_RULES =
  "Each memory above starts with its citation tag [number:id]. When a sentence of your answer relies on a memory, " +
  "end it with that tag, e.g. [1:abc], copying the number and the id exactly. Cite only ids you were given above: " +
  "never invent, shorten or alter an id. When memories disagree, prefer the most recent. " +
  "When no memory is relevant, answer without citations.";

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

/**
 * The system prompt of a turn whose first memories are pinned (the cube's activation memory):
 * `prefix` is {@link memoryPrefix} of the pinned memories, byte-identical from turn to turn so a
 * KV state or a server's prefix cache serves it; the memories retrieved for this query (numbered
 * after the pinned ones), today's date and the citation rules follow it.
 *
 * @example
 * const { prefix, system } = buildPinnedSystemPrompt({ pinned, retrieved, now });
 * system.startsWith(prefix); // true
 */
export function buildPinnedSystemPrompt(options: {
  base?: string;
  pinned: PromptMemory[];
  retrieved: PromptMemory[];
  now?: Date;
}): { prefix: string; system: string } {
  const prefix = memoryPrefix({ base: options.base, memories: options.pinned });
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const none = options.pinned.length + options.retrieved.length === 0;
  const tail = [
    ...options.retrieved.map(memoryLine),
    ...(none ? ["(no memories relevant to this message)"] : []),
    `Today is ${today}.`,
    "",
    "# Citing memories",
    CITATION_RULES,
  ].join("\n");
  return { prefix, system: `${prefix}\n${tail}${basePromptAfterMemories(options.base)}` };
}
