import type { MemoryStore, ScoredId } from "../core/interfaces/store.js";
import type { FilterNode } from "../core/schema/filter.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { ENGLISH_STOP_WORDS, tokenize } from "../providers/bm25-reranker/bm25-tokenize.js";

/** Feedback documents read, and expansion terms taken at most. */
export const FEEDBACK_DOCS = 6;
export const FEEDBACK_TERMS = 5;

/** A line's "[8 May 2023] " stamp and "Speaker: " label: every chat memory has them, so they say nothing. */
const LINE_PREFIX = /^\s*(?:\[[^\]]*\]\s*)?(?:[\p{L}\p{N}_.' -]{1,40}:\s)?/u;
const MONTHS = new Set(
  "january february march april may june july august september october november december".split(" "),
);

/**
 * Pseudo-relevance feedback: the words that several of the best hits share and the query lacks
 * ("pottery", "camping" for "what does Maya do to relax?"), best first. A word counts once per
 * document; it must occur in at least two; ties go to the more frequent word, then the earlier.
 * Stop words, numbers, month names and chat stamps/speaker labels are left out.
 *
 * @example
 * expansionTerms("what does Maya do to relax?", ["Maya: pottery class today", "Maya: pottery calms me"]);
 * // ["pottery"]
 */
export function expansionTerms(query: string, docs: readonly string[], max = FEEDBACK_TERMS): string[] {
  const asked = new Set(tokenize(query));
  const df = new Map<string, number>();
  const tf = new Map<string, number>();
  const first = new Map<string, number>();
  for (const doc of docs) {
    const words = doc
      .split("\n")
      .flatMap((line) => tokenize(line.replace(LINE_PREFIX, ""), ENGLISH_STOP_WORDS));
    for (const w of words) {
      if (w.length < 3 || asked.has(w) || MONTHS.has(w) || /^\p{N}+$/u.test(w)) continue;
      tf.set(w, (tf.get(w) ?? 0) + 1);
      if (!first.has(w)) first.set(w, first.size);
    }
    for (const w of new Set(words)) if (tf.has(w)) df.set(w, (df.get(w) ?? 0) + 1);
  }
  return [...df.entries()]
    .filter(([, n]) => n >= 2)
    .sort(
      ([a, na], [b, nb]) =>
        nb - na || (tf.get(b) ?? 0) - (tf.get(a) ?? 0) || (first.get(a) ?? 0) - (first.get(b) ?? 0),
    )
    .slice(0, max)
    .map(([w]) => w);
}

/**
 * The query expanded by the shared words of its best hits (the head of each list, interleaved),
 * searched again by BM25; empty when the hits share no word. Loaded items go into `loaded`.
 */
export async function feedbackSearch(
  store: MemoryStore,
  query: string,
  lists: readonly (readonly ScoredId[])[],
  search: { k: number; filter: FilterNode },
  loaded: Map<string, TextualMemoryItem>,
): Promise<ScoredId[]> {
  const ids: string[] = [];
  for (let i = 0; ids.length < FEEDBACK_DOCS && lists.some((l) => i < l.length); i++) {
    for (const l of lists) {
      const id = l[i]?.id;
      if (id !== undefined && !ids.includes(id) && ids.length < FEEDBACK_DOCS) ids.push(id);
    }
  }
  const missing = ids.filter((id) => !loaded.has(id));
  if (missing.length > 0) for (const item of await store.getItems(missing)) loaded.set(item.id, item);
  const docs = ids.map((id) => loaded.get(id)?.memory).filter((m): m is string => m !== undefined);
  const terms = expansionTerms(query, docs);
  if (terms.length === 0) return [];
  return store.keywordSearch(`${query} ${terms.join(" ")}`, search);
}
