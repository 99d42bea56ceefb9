import { formatClock, formatStamp, MONTH_TITLES } from "../core/time.js";
import { SEGMENT_SLICE_CHARS } from "./limits.js";
import { countTokens, decodeTokens, encodeTokens } from "./tokens.js";

// Time rendering lives in core (search cuts windows with it too); the reader's API keeps it.
export { formatClock, formatStamp };

/** English month names, January first (rendering and date annotation share them). */
export const MONTHS: readonly string[] = MONTH_TITLES;

/** True when both ISO instants fall on the same UTC calendar day. */
export function sameUtcDate(a: string, b: string): boolean {
  return a.slice(0, 10) === b.slice(0, 10);
}

let sentenceSeg: Intl.Segmenter | undefined;
let wordSeg: Intl.Segmenter | undefined;

// Where a slice may end, best first: after a blank line, a line break, any whitespace.
const CUTS = [/\n[ \t]*\n/g, /\n/g, /\s/gu];

/** The end of the best cut in text[from, to): the last match of the best kind in its second half. */
function cutPoint(text: string, from: number, to: number): number {
  const window = text.slice(from, to);
  for (const re of CUTS) {
    let end = -1;
    re.lastIndex = 0;
    for (let m = re.exec(window); m; m = re.exec(window)) end = m.index + m[0].length;
    // A cut in the first half would make slices small and their number large: try a weaker kind.
    if (end >= window.length / 2) return from + end;
  }
  // No whitespace at all (a base64 blob): a hard cut, never between the halves of a surrogate pair.
  const code = text.charCodeAt(to - 1);
  return code >= 0xd800 && code <= 0xdbff ? to - 1 : to;
}

/**
 * Consecutive slices of `text` of at most `max` code units, cut after a paragraph break, a line
 * break or a space where there is one, so segmenting them one by one costs time linear in the
 * length of `text`. Joined they give back `text`.
 *
 * @example
 * boundedSlices("aaa bbb ccc", 8); // ["aaa bbb ", "ccc"]
 */
export function boundedSlices(text: string, max = SEGMENT_SLICE_CHARS): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let from = 0;
  while (text.length - from > max) {
    const to = cutPoint(text, from, from + max);
    out.push(text.slice(from, to));
    from = to;
  }
  if (from < text.length) out.push(text.slice(from));
  return out;
}

/**
 * Sentences of `text` (ICU rules: handles CJK punctuation), as exact substrings: joined they
 * give back `text`. Text longer than SEGMENT_SLICE_CHARS is segmented slice by slice (see
 * `boundedSlices`), so a slice boundary also ends a sentence.
 *
 * @example
 * splitSentences("Hi there. How are you?"); // ["Hi there. ", "How are you?"]
 */
export function splitSentences(text: string): string[] {
  sentenceSeg ??= new Intl.Segmenter("en", { granularity: "sentence" });
  const seg = sentenceSeg;
  return boundedSlices(text).flatMap((slice) => Array.from(seg.segment(slice), (s) => s.segment));
}

// Words with their trailing punctuation and spaces attached, so no piece starts with "." or ",".
function splitWords(text: string): string[] {
  wordSeg ??= new Intl.Segmenter("en", { granularity: "word" });
  const out: string[] = [];
  for (const slice of boundedSlices(text)) {
    for (const { segment, isWordLike } of wordSeg.segment(slice)) {
      if (!isWordLike && out.length) out[out.length - 1] += segment;
      else out.push(segment);
    }
  }
  return out;
}

// Longest text encoded at once when cutting a "word" on tokens: BPE is quadratic in the length of
// a run of letters, so a megabyte without spaces is cut into slices first.
const TOKEN_SLICE_CHARS = 1024;

// Last resort for a "word" longer than the budget (a URL, base64): cut on token boundaries.
function splitTokens(text: string, budget: number): string[] {
  if (text.length > TOKEN_SLICE_CHARS)
    return boundedSlices(text, TOKEN_SLICE_CHARS).flatMap((s) => splitTokens(s, budget));
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

// Below budget minus this slack, a piece's count is taken as the sum of its parts' counts.
const PACK_SLACK = 4;

function pack(segments: string[], budget: number, finer: (seg: string) => string[]): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  // Tokens of cur: exact, or a sum of parts. Re-encoding cur for every segment made packing cost
  // (budget / segment length) times the text, so the exact count is taken only near the budget,
  // and once per piece when it is flushed.
  let curTokens = 0;
  let exact = true;
  const flush = () => {
    const t = cur.join("").trim();
    if (t && !exact && countTokens(t) > budget) out.push(...packExactly(cur, budget));
    else if (t) out.push(t);
    cur = [];
    curTokens = 0;
    exact = true;
  };
  for (const seg of segments) {
    const own = countTokens(seg.trim());
    if (own > budget) {
      flush();
      out.push(...finer(seg));
      continue;
    }
    if (cur.length > 0 && curTokens + own + PACK_SLACK > budget) {
      const joined = countTokens((cur.join("") + seg).trim());
      if (joined > budget) {
        flush();
        curTokens = own;
      } else {
        curTokens = joined;
        exact = true;
      }
    } else {
      curTokens += own;
      exact = cur.length === 0;
    }
    cur.push(seg);
  }
  flush();
  return out;
}

// The rare piece whose parts merged into more tokens than their sum: packed with exact counts.
function packExactly(segments: string[], budget: number): string[] {
  const out: string[] = [];
  let cur = "";
  for (const seg of segments) {
    if (cur && countTokens((cur + seg).trim()) > budget) {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
    }
    cur += seg;
  }
  if (cur.trim()) out.push(cur.trim());
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
  // A cl100k token rarely spans more than a few dozen characters: longer text cannot fit, and
  // encoding it whole would cost what the sliced pass below avoids.
  if (t.length <= b * 64 && countTokens(t) <= b) return [t];
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
  const words =
    n >= 0
      ? leadingWords(text, Math.trunc(n))
      : text
          .split(/\s+/)
          .filter((w) => WORDY.test(w))
          .slice(0, n);
  let s = words.join(" ");
  // Text without spaces (CJK) would otherwise come back whole.
  if (s.length > 80) s = Array.from(s).slice(0, 80).join("");
  return s.replace(/[\s,;:.!?…\-–—]+$/u, "");
}

const WORDY = /[\p{L}\p{N}]/u;

/** The first `max` wordy runs between whitespace, found without splitting the whole text. */
function leadingWords(text: string, max: number): string[] {
  const words: string[] = [];
  const runs = /\S+/g;
  for (let m = runs.exec(text); m !== null && words.length < max; m = runs.exec(text))
    if (WORDY.test(m[0])) words.push(m[0]);
  return words;
}

// Headroom for BPE merges across the joins between rendered parts.
const JOIN_SLACK = 2;
/** A piece always gets at least this many tokens, even when its fixed overhead fills the limit. */
export const MIN_PIECE_TOKENS = 8;

/** The token budget of each piece in `splitToFit`. */
function pieceBudget(limit: number, measure: (piece: string) => number, cap?: number): number {
  const budget = Math.max(MIN_PIECE_TOKENS, limit - measure("") - JOIN_SLACK);
  return cap === undefined ? budget : Math.min(budget, cap);
}

/**
 * Whether `splitToFit(text, limit, measure, cap)` gives back the trimmed text whole (most chat
 * messages), found with the same counts as its first step but without the splitting machinery.
 */
export function fitsWhole(
  text: string,
  limit: number,
  measure: (piece: string) => number,
  cap?: number,
): boolean {
  const t = text.trim();
  const budget = pieceBudget(limit, measure, cap);
  return t !== "" && t.length <= budget * 64 && countTokens(t) <= budget && measure(t) <= limit;
}

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
  const budget = pieceBudget(limit, measure, cap);
  // Rendering (joins, collapsed whitespace) can shift a count by a token or two: a piece over
  // the limit is split again with a smaller budget, on its own (re-splitting the whole text made
  // a long message cost several passes over all of it).
  const refit = (piece: string, budget: number, attempt: number): string[] => {
    const excess = measure(piece) - limit;
    if (excess <= 0 || attempt >= 3 || budget <= MIN_PIECE_TOKENS) return [piece];
    const smaller = Math.max(MIN_PIECE_TOKENS, budget - excess);
    return splitToBudget(piece, smaller).flatMap((p) => refit(p, smaller, attempt + 1));
  };
  return splitToBudget(text, budget).flatMap((p) => refit(p, budget, 0));
}
