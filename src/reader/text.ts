import { countTokens, decodeTokens, encodeTokens } from "./tokens.js";

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
/** English month names, January first (rendering and date annotation share them). */
export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * Clock time of an ISO instant in UTC, 12-hour: "1:56 pm".
 *
 * @example
 * formatClock("2023-05-08T13:56:00.000Z"); // "1:56 pm"
 */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  const h = d.getUTCHours();
  return `${h % 12 === 0 ? 12 : h % 12}:${String(d.getUTCMinutes()).padStart(2, "0")} ${h < 12 ? "am" : "pm"}`;
}

/**
 * Human-readable absolute time in UTC, independent of the machine's locale and zone:
 * "Monday 8 May 2023, 1:56 pm UTC", or "Monday 8 May 2023" when only the date is known.
 * The weekday is kept because questions often say "last Friday".
 *
 * @example
 * formatStamp("2023-05-08T13:56:00.000Z"); // "Monday 8 May 2023, 1:56 pm UTC"
 */
export function formatStamp(iso: string, dateOnly = false): string {
  const d = new Date(iso);
  const date = `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return dateOnly ? date : `${date}, ${formatClock(iso)} UTC`;
}

/** True when both ISO instants fall on the same UTC calendar day. */
export function sameUtcDate(a: string, b: string): boolean {
  return a.slice(0, 10) === b.slice(0, 10);
}

let sentenceSeg: Intl.Segmenter | undefined;
let wordSeg: Intl.Segmenter | undefined;

/**
 * Sentences of `text` (ICU rules: handles CJK punctuation), as exact substrings: joined they
 * give back `text`.
 *
 * @example
 * splitSentences("Hi there. How are you?"); // ["Hi there. ", "How are you?"]
 */
export function splitSentences(text: string): string[] {
  sentenceSeg ??= new Intl.Segmenter("en", { granularity: "sentence" });
  return Array.from(sentenceSeg.segment(text), (s) => s.segment);
}

// Words with their trailing punctuation and spaces attached, so no piece starts with "." or ",".
function splitWords(text: string): string[] {
  wordSeg ??= new Intl.Segmenter("en", { granularity: "word" });
  const out: string[] = [];
  for (const { segment, isWordLike } of wordSeg.segment(text)) {
    if (!isWordLike && out.length) out[out.length - 1] += segment;
    else out.push(segment);
  }
  return out;
}

// Last resort for a "word" longer than the budget (a URL, base64): cut on token boundaries.
function splitTokens(text: string, budget: number): string[] {
  const toks = encodeTokens(text);
  const out: string[] = [];
  let i = 0;
  while (i < toks.length) {
    let j = Math.min(i + budget, toks.length);
    let piece = decodeTokens(toks.slice(i, j));
    // A slice can end inside a multi-byte character (shown as U+FFFD); back off to a whole one.
    for (let k = 0; k < 3 && j < toks.length && j - i > 1 && piece.endsWith("\uFFFD"); k++) {
      j--;
      piece = decodeTokens(toks.slice(i, j));
    }
    // Re-encoding a slice on its own can merge differently; keep every piece within budget.
    while (j - i > 1 && countTokens(piece.trim()) > budget) {
      j--;
      piece = decodeTokens(toks.slice(i, j));
    }
    const t = piece.trim();
    if (t) out.push(t);
    i = j;
  }
  return out;
}

function pack(segments: string[], budget: number, finer: (seg: string) => string[]): string[] {
  const out: string[] = [];
  let cur = "";
  const flush = () => {
    const t = cur.trim();
    if (t) out.push(t);
    cur = "";
  };
  for (const seg of segments) {
    if (countTokens(seg.trim()) > budget) {
      flush();
      out.push(...finer(seg));
    } else {
      if (cur && countTokens((cur + seg).trim()) > budget) flush();
      cur += seg;
    }
  }
  flush();
  return out;
}

/**
 * Split `text` into trimmed, non-empty pieces of at most `budget` cl100k tokens each, cutting
 * between sentences where possible, else between words, else between tokens.
 *
 * @example
 * splitToBudget("One. Two. Three.", 4); // ["One. Two.", "Three."]
 */
export function splitToBudget(text: string, budget: number): string[] {
  const b = Math.max(1, Math.floor(budget));
  const t = text.trim();
  if (!t) return [];
  if (countTokens(t) <= b) return [t];
  return pack(splitSentences(t), b, (sentence) =>
    pack(splitWords(sentence), b, (word) => splitTokens(word.trim(), b)),
  );
}

/**
 * A short label: the first `n` words of `text` (markup-only words skipped), without trailing
 * punctuation, at most 80 chars.
 *
 * @example
 * firstWords("I went to the LGBTQ support group yesterday, it was great", 8);
 * // "I went to the LGBTQ support group yesterday"
 */
export function firstWords(text: string, n = 8): string {
  // Markup-only "words" ("---", "#", "*") say nothing about the content.
  let s = text
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .slice(0, n)
    .join(" ");
  // Text without spaces (CJK) would otherwise come back whole.
  if (s.length > 80) s = Array.from(s).slice(0, 80).join("");
  return s.replace(/[\s,;:.!?…\-–—]+$/u, "");
}

// Headroom for BPE merges across the joins between rendered parts.
const JOIN_SLACK = 2;
/** A piece always gets at least this many tokens, even when its fixed overhead fills the limit. */
export const MIN_PIECE_TOKENS = 8;

/**
 * Split `text` so that `measure(piece)` (the token count of the piece as it will be rendered,
 * with its header, speaker or heading) stays within `limit`. `measure("")` is taken as the fixed
 * overhead; `cap` optionally bounds a piece's own tokens. Only when the overhead leaves fewer
 * than MIN_PIECE_TOKENS can a piece exceed the limit.
 *
 * @example
 * splitToFit(longText, 192, (p) => countTokens(`Setup > Install\n${p}`));
 */
export function splitToFit(
  text: string,
  limit: number,
  measure: (piece: string) => number,
  cap?: number,
): string[] {
  let budget = Math.max(MIN_PIECE_TOKENS, limit - measure("") - JOIN_SLACK);
  if (cap !== undefined) budget = Math.min(budget, cap);
  let pieces = splitToBudget(text, budget);
  // Rendering (joins, collapsed whitespace) can shift a count by a token or two; re-split if so.
  for (let attempt = 0; attempt < 3 && budget > MIN_PIECE_TOKENS; attempt++) {
    const excess = Math.max(...pieces.map(measure)) - limit;
    if (excess <= 0) break;
    budget = Math.max(MIN_PIECE_TOKENS, budget - excess);
    pieces = splitToBudget(text, budget);
  }
  return pieces;
}
