/**
 * A small language-agnostic tokenizer for BM25: Unicode-normalised (NFKC), case-folded words of
 * letters/digits, English stop words removed. Han, Hiragana, Katakana and Hangul characters are
 * one token each: those scripts do not separate words with spaces, and single characters are
 * the usual BM25 unit for them when no segmenter is available.
 */

/** A compact English stop-word list (articles, pronouns, auxiliaries, prepositions). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an the and or but if then else of to in on at by for with about against between into through " +
    "during before after above below from up down out off over under again further once here there " +
    "when where why how all any both each few more most other some such no nor not only own same so " +
    "than too very can will just should now i me my myself we our ours ourselves you your yours " +
    "yourself yourselves he him his himself she her hers herself it its itself they them their theirs " +
    "themselves what which who whom this that these those am is are was were be been being have has " +
    "had having do does did doing would could ought as until while s t d ll m re ve don doesn didn isn aren " +
    "wasn weren hasn haven hadn won wouldn couldn shouldn"
  ).split(" "),
);

// Apostrophes split words: "user's" → "user" + "s", "don't" → "don" + "t" (both stop words).
const WORD = /[\p{L}\p{N}]+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * Tokens of `text`, in order, stop words dropped.
 *
 * @example
 * tokenize("The user's cat LIKES tea"); // ["user", "cat", "likes", "tea"]
 */
export function tokenize(text: string, stopWords: ReadonlySet<string> = ENGLISH_STOP_WORDS): string[] {
  const out: string[] = [];
  for (const match of text.normalize("NFKC").toLowerCase().matchAll(WORD)) {
    const word = match[0];
    if (CJK.test(word)) {
      // Split runs like "我喜欢tea" into characters, keeping non-CJK runs whole.
      for (const part of word.split(
        /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])/u,
      )) {
        if (part && !stopWords.has(part)) out.push(part);
      }
    } else if (!stopWords.has(word)) {
      out.push(word);
    }
  }
  return out;
}
