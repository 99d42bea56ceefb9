import { createRequire } from "node:module";
import type { Tiktoken, TiktokenBPE } from "js-tiktoken/lite";

// The cl100k rank table is ~1 MB of text and takes ~0.5 s to build into an encoder, so it is
// loaded on first use (synchronously, through require) rather than when this module is imported:
// commands that never count tokens (`memos list`) do not pay for it.
let encoder: Tiktoken | undefined;

function getEncoder(): Tiktoken {
  if (!encoder) {
    const require = createRequire(import.meta.url);
    const { Tiktoken: TiktokenClass } = require("js-tiktoken/lite") as { Tiktoken: typeof Tiktoken };
    const ranks = require("js-tiktoken/ranks/cl100k_base") as TiktokenBPE;
    encoder = new TiktokenClass(ranks);
  }
  return encoder;
}

/**
 * Token ids of `text` under cl100k_base. Special-token strings such as `<|endoftext|>` in user
 * text are encoded as ordinary text instead of throwing.
 *
 * @example
 * encodeTokens("hello world"); // [15339, 1917]
 */
export function encodeTokens(text: string): number[] {
  return getEncoder().encode(text, [], []);
}

/**
 * Decode cl100k token ids back into text.
 *
 * @example
 * decodeTokens(encodeTokens("hello")); // "hello"
 */
export function decodeTokens(tokens: number[]): string {
  return getEncoder().decode(tokens);
}

/**
 * Number of cl100k_base tokens in `text` (the GPT-4 / GPT-3.5 tokenizer). Used to size memory
 * windows and by the benchmarks to report token costs.
 *
 * @example
 * countTokens("hello world"); // 2
 * countTokens(""); // 0
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  if (text.length > COUNT_CACHE_MAX_CHARS) return encodeTokens(text).length;
  let n = counts.get(text);
  if (n === undefined) {
    n = encodeTokens(text).length;
    // Cleared when full rather than LRU: cheap, and the reuse is local (one window, one message).
    if (counts.size >= COUNT_CACHE_ENTRIES) counts.clear();
    counts.set(text, n);
  }
  return n;
}

// Reading measures the same piece several times (alone, with its header, in its window);
// counting is most of the cost of reading, so recent counts of short strings are kept.
const COUNT_CACHE_ENTRIES = 4096;
const COUNT_CACHE_MAX_CHARS = 4096;
const counts = new Map<string, number>();
