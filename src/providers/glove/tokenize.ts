/**
 * Text → GloVe vocabulary words.
 *
 * GloVe 6B was trained on Stanford-tokenized, lowercased Wikipedia + Gigaword, where
 * "Caroline's" is "caroline" + "'s" and "don't" is "do" + "n't". The wink packaging drops the
 * clitic tokens ("'s", "n't", "'m", …), bare numbers and a few one-letter words from the
 * vocabulary, so each clitic is tried as GloVe writes it first and then as the word it stands
 * for ("n't" → "not", "'re" → "are", "'ll" → "will", …); "'s" (possessive or "is") has no
 * stand-in and is simply dropped when the vocabulary lacks it.
 *
 * Hyphenated and dotted tokens are looked up whole ("well-known", "e-mail") and split into their
 * parts when the whole is unknown. Accents are stripped ("café" → "cafe": the vocabulary is
 * ASCII), curly apostrophes become straight ones.
 *
 * @module
 */

/** Words: letters and digits, with inner hyphens, dots and apostrophes kept together. */
const TOKEN_RE = /[\p{L}\p{N}]+(?:['.-][\p{L}\p{N}]+)*/gu;
const APOSTROPHES_RE = /[\u2019\u2018\u02bc\u0060\u00b4\u2032]/g;
const MARKS_RE = /\p{M}+/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range test
const NON_ASCII_RE = /[^\u0000-\u007f]/;

/** Lowercase, strip accents, straighten apostrophes. */
export function normalizeText(text: string): string {
  let t = text.toLowerCase();
  if (NON_ASCII_RE.test(t)) {
    t = t.normalize("NFKD").replace(MARKS_RE, "").replace(APOSTROPHES_RE, "'");
  } else if (t.includes("`")) {
    t = t.replace(APOSTROPHES_RE, "'");
  }
  return t;
}

/** Raw tokens of a text (normalised, before vocabulary lookup). */
export function rawTokens(text: string): string[] {
  return normalizeText(text).match(TOKEN_RE) ?? [];
}

/** Clitic → the spellings to try, GloVe's own first. */
const CLITICS: ReadonlyArray<readonly [suffix: string, candidates: readonly string[]]> = [
  ["n't", ["n't", "not"]],
  ["'s", ["'s"]],
  ["'re", ["'re", "are"]],
  ["'ll", ["'ll", "will"]],
  ["'ve", ["'ve", "have"]],
  ["'m", ["'m", "am"]],
  ["'d", ["'d", "would"]],
];

/** Stems that "n't" leaves behind in PTB tokenization ("can't" → "ca" "n't"). */
const NT_STEMS: Readonly<Record<string, string>> = { ca: "can", wo: "will", sha: "shall", ai: "is" };

/**
 * Appends to `out` the vocabulary ids a raw token stands for. `lookup` returns a word's id or
 * -1 when the word is not in the vocabulary. Unknown words contribute nothing.
 */
export function resolveToken(token: string, lookup: (word: string) => number, out: number[]): void {
  const whole = lookup(token);
  if (whole >= 0) {
    out.push(whole);
    return;
  }
  if (token.includes("-")) {
    for (const part of token.split("-")) if (part) resolveToken(part, lookup, out);
    return;
  }
  if (token.includes("'")) {
    for (const [suffix, candidates] of CLITICS) {
      if (token.length <= suffix.length || !token.endsWith(suffix)) continue;
      let stem = token.slice(0, -suffix.length);
      if (suffix === "n't") stem = NT_STEMS[stem] ?? stem;
      resolveToken(stem, lookup, out);
      for (const c of candidates) {
        const id = lookup(c);
        if (id >= 0) {
          out.push(id);
          break;
        }
      }
      return;
    }
    // "o'neill", "rock'n'roll": joined, else each part.
    const joined = lookup(token.replaceAll("'", ""));
    if (joined >= 0) out.push(joined);
    else for (const part of token.split("'")) if (part) resolveToken(part, lookup, out);
    return;
  }
  if (token.includes(".")) {
    for (const part of token.split(".")) if (part) resolveToken(part, lookup, out);
  }
}
