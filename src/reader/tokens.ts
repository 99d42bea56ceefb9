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
 * windows and by the benchmarks to report token costs. Equal to `encodeTokens(text).length`.
 *
 * @example
 * countTokens("hello world"); // 2
 * countTokens(""); // 0
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  // Reading measures the same string several times (alone, with its header, in its window).
  const known = text.length <= TEXT_CACHE_MAX_CHARS ? textCounts.get(text) : undefined;
  if (known !== undefined) return known;
  const { ranks, pieces, next } = getCounter();
  // cl100k splits text into pieces with a regex first and encodes each piece on its own, so a
  // count is the sum of its pieces' counts; words repeat, so those are kept. This is what keeps
  // reading fast: js-tiktoken's encode costs several µs per word.
  let n = 0;
  let at = 0;
  while (at < text.length) {
    // The pieces tile the text, so the next one nearly always starts where the last ended:
    // a sticky test finds it without allocating a match; else search on, as exec would.
    let piece: string;
    next.lastIndex = at;
    if (next.test(text)) {
      piece = text.slice(at, next.lastIndex);
      at = next.lastIndex;
    } else {
      pieces.lastIndex = at;
      const m = pieces.exec(text);
      if (m === null) break;
      piece = m[0];
      at = pieces.lastIndex;
    }
    let c = pieceCounts.get(piece);
    if (c === undefined) {
      c = bytePairCount(utf8.encode(piece), ranks);
      if (piece.length <= PIECE_CACHE_MAX_CHARS) remember(pieceCounts, PIECE_CACHE_ENTRIES, piece, c);
    }
    n += c;
  }
  if (text.length <= TEXT_CACHE_MAX_CHARS) remember(textCounts, TEXT_CACHE_ENTRIES, text, n);
  return n;
}

/** Cleared when full rather than LRU: cheap, and common words and recent strings come straight back. */
function remember(cache: Map<string, number>, capacity: number, key: string, count: number): void {
  if (cache.size >= capacity) cache.clear();
  cache.set(key, count);
}

const TEXT_CACHE_ENTRIES = 1024;
const TEXT_CACHE_MAX_CHARS = 4096;
const textCounts = new Map<string, number>();

const PIECE_CACHE_ENTRIES = 65_536;
const PIECE_CACHE_MAX_CHARS = 64;
const pieceCounts = new Map<string, number>();
const utf8 = new TextEncoder();
type Counter = { ranks: Map<string, number>; pieces: RegExp; next: RegExp };
let counter: Counter | undefined;

function getCounter(): Counter {
  if (!counter) {
    const enc = getEncoder() as unknown as { rankMap: Map<string, number>; patStr: string };
    const next = new RegExp(enc.patStr, "uy");
    counter = { ranks: enc.rankMap, pieces: new RegExp(enc.patStr, "gu"), next };
  }
  return counter;
}

/**
 * Tokens of one piece: js-tiktoken's byte-pair merge (lowest-ranked adjacent pair first, until
 * no pair is a token), counting the parts instead of returning their ids. Parts without a rank
 * are dropped there, so they are not counted here.
 */
function bytePairCount(bytes: Uint8Array, ranks: Map<string, number>): number {
  if (bytes.length === 1 || ranks.has(bytes.join(","))) return 1;
  const starts = Array.from({ length: bytes.length + 1 }, (_, i) => i);
  const key = (from: number, to: number) => bytes.subarray(from, to).join(",");
  while (starts.length > 2) {
    let best = -1;
    let bestRank = Number.POSITIVE_INFINITY;
    for (let i = 0; i < starts.length - 2; i++) {
      const rank = ranks.get(key(starts[i] as number, starts[i + 2] as number));
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) break;
    starts.splice(best + 1, 1);
  }
  let n = 0;
  for (let i = 0; i < starts.length - 1; i++)
    if (ranks.has(key(starts[i] as number, starts[i + 1] as number))) n++;
  return n;
}
