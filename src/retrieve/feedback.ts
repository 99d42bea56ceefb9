import { ConfigError } from "../core/errors/config-error.js";
import type { Embedder } from "../core/interfaces/embedder.js";
import type { MemoryStore, ScoredId } from "../core/interfaces/store.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { ENGLISH_STOP_WORDS, tokenize } from "../providers/bm25-reranker/bm25-tokenize.js";
import { neighbourTerms, WordVectors } from "./word-neighbours.js";

/**
 * Candidates re-ranked per recall list, for a search of topK: its head is what fusion can still
 * lift into the results (an RRF list adds 1/(60 + rank), so rank 100 moves little). Loading and
 * tokenising every candidate cost ~2 ms of a ~10 ms search at 100k memories.
 */
export function feedbackPoolSize(topK: number): number {
  return Math.max(topK * 3, 30);
}

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

/** BM25's term-saturation and length-normalisation constants (the usual Okapi values). */
const K1 = 1.2;
const B = 0.75;

/**
 * BM25 of `terms` over `docs`, with document frequencies counted in `docs` themselves: the
 * candidates' own statistics, so the cost is bounded by the candidates, not the store. Returns
 * each document's score (0 when it holds no term). A document is its text, or its tokens
 * (`tokenize`) when the caller ranks the same documents more than once.
 */
export function poolBm25(
  terms: readonly string[] | ReadonlyMap<string, number>,
  docs: readonly (string | readonly string[])[],
): number[] {
  const weights = Array.isArray(terms)
    ? new Map((terms as readonly string[]).map((t) => [t, 1]))
    : (terms as ReadonlyMap<string, number>);
  const wanted = new Set(weights.keys());
  const counts = docs.map((doc) => {
    const tf = new Map<string, number>();
    let length = 0;
    for (const w of typeof doc === "string" ? tokenize(doc) : doc) {
      length++;
      if (wanted.has(w)) tf.set(w, (tf.get(w) ?? 0) + 1);
    }
    return { tf, length };
  });
  const n = docs.length;
  const avgdl = counts.reduce((s, c) => s + c.length, 0) / Math.max(1, n);
  const idf = new Map<string, number>();
  for (const t of wanted) {
    const df = counts.reduce((s, c) => s + (c.tf.has(t) ? 1 : 0), 0);
    idf.set(t, Math.log(1 + (n - df + 0.5) / (df + 0.5)));
  }
  return counts.map(({ tf, length }) => {
    let score = 0;
    for (const [t, f] of tf) {
      score +=
        ((weights.get(t) ?? 0) * (idf.get(t) ?? 0) * f * (K1 + 1)) /
        (f + K1 * (1 - B + (B * length) / Math.max(avgdl, 1)));
    }
    return score;
  });
}

/** Feedback as a text memory runs it: its RRF weight, and the word vectors for neighbours. */
export interface FeedbackSettings {
  weight: number;
  /** RRF weight of the neighbour list. */
  neighbourWeight: number;
  neighbours: { vectors: WordVectors; threshold: number } | undefined;
}

/**
 * Checked feedback settings: weight default 0.5, neighbour threshold default 0.5 with the
 * built-in GloVe embedder (a word is a table lookup) and 0 (off) with any other.
 */
export function resolveFeedbackSettings(options: {
  embedder: Embedder;
  feedbackWeight?: number;
  neighbourThreshold?: number;
  neighbourWeight?: number;
}): FeedbackSettings {
  const weight = options.feedbackWeight ?? 0.5;
  if (!(weight >= 0 && Number.isFinite(weight))) {
    throw new ConfigError({
      message: `feedbackWeight must be a non-negative number, got ${weight}`,
      hint: "e.g. { feedbackWeight: 0.5 } (0 turns pseudo-relevance feedback off)",
    });
  }
  const threshold = options.neighbourThreshold ?? (options.embedder.provider === "glove" ? 0.5 : 0);
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new ConfigError({
      message: `neighbourThreshold must be from 0 to 1, got ${threshold}`,
      hint: "e.g. { neighbourThreshold: 0.5 } (0 turns neighbour matching off)",
    });
  }
  const neighbourWeight = options.neighbourWeight ?? 1;
  if (!(neighbourWeight >= 0 && Number.isFinite(neighbourWeight))) {
    throw new ConfigError({
      message: `neighbourWeight must be a non-negative number, got ${neighbourWeight}`,
      hint: "e.g. { neighbourWeight: 1 }",
    });
  }
  return {
    weight,
    neighbourWeight,
    neighbours: threshold > 0 ? { vectors: WordVectors.for(options.embedder), threshold } : undefined,
  };
}

/**
 * The neighbour list's weight (× the keyword weight): its own, plus the keyword list's when no
 * query word matched informatively ("What race is Maya preparing for?" over memories that never
 * say "race"). The lexical side of the fusion then still counts once, through the words nearest
 * to the query's, instead of leaving the vector list alone to decide.
 */
export function neighbourListWeight(
  settings: Pick<FeedbackSettings, "neighbourWeight">,
  keywordLists: readonly (readonly ScoredId[])[],
): number {
  if (settings.neighbourWeight === 0) return 0; // turned off: stays off
  return settings.neighbourWeight + (keywordLists.some((l) => l.length > 0) ? 0 : 1);
}

/** What {@link feedbackSearch} reads. */
export interface FeedbackInput {
  store: MemoryStore;
  query: string;
  /** The recall lists whose heads give the feedback words. */
  lists: readonly (readonly ScoredId[])[];
  /** The recalled candidates: the head of each list (see `poolSize`) is re-ranked. */
  pool: readonly (readonly ScoredId[])[];
  /** Candidates taken from the head of each pool list: a re-ranked list only moves the head. */
  poolSize: number;
  /** Items loaded so far (read and filled). */
  loaded: Map<string, TextualMemoryItem>;
  /**
   * Whether to run pseudo-relevance feedback. Without an informative keyword hit it would only
   * echo the vector list's head (its words, searched again, find the same memories): callers pass
   * false then.
   */
  prf: boolean;
  /** Also match the query's words by their nearest words in the candidates (see neighbourTerms). */
  neighbours?: { vectors: WordVectors; threshold: number };
  signal?: AbortSignal;
}

/** The two lists {@link feedbackSearch} adds to the fusion. */
export interface FeedbackLists {
  /** The candidates by BM25 on the query plus the words the best hits share. */
  feedback: ScoredId[];
  /** The candidates by BM25 on the query plus its words' nearest words (weighted by similarity). */
  neighbours: ScoredId[];
}

/**
 * Two re-rankings of the recalled candidates by BM25 on an expanded query: with the words the
 * best hits share (the head of each list, interleaved; pseudo-relevance feedback), and with
 * `neighbours`, with the candidates' words nearest to the query's ("pet" → cat). A list is empty
 * when there is nothing to add. Only the candidates are scored — never the whole store — so the
 * cost does not grow with the cube (a second BM25 over the store took ~28 ms of a 44 ms search
 * at 100k memories). Loaded items go into `loaded`.
 */
export async function feedbackSearch(input: FeedbackInput): Promise<FeedbackLists> {
  const { store, query, lists, pool, loaded } = input;
  const ids: string[] = [];
  for (let i = 0; ids.length < FEEDBACK_DOCS && lists.some((l) => i < l.length); i++) {
    for (const l of lists) {
      const id = l[i]?.id;
      if (id !== undefined && !ids.includes(id) && ids.length < FEEDBACK_DOCS) ids.push(id);
    }
  }
  const candidates = [
    ...new Set([...ids, ...pool.flatMap((l) => l.slice(0, input.poolSize).map((h) => h.id))]),
  ];
  const missing = candidates.filter((id) => !loaded.has(id));
  if (missing.length > 0) for (const item of await store.getItems(missing)) loaded.set(item.id, item);
  const head = ids.map((id) => loaded.get(id)?.memory).filter((m): m is string => m !== undefined);
  const items = candidates.map((id) => loaded.get(id)).filter((i): i is TextualMemoryItem => i !== undefined);
  const tokens = items.map((i) => tokenize(i.memory));
  const asked = tokenize(query);
  const rank = (extra: ReadonlyMap<string, number>): ScoredId[] => {
    if (extra.size === 0) return [];
    const terms = new Map(extra);
    for (const t of asked) terms.set(t, 1);
    const scores = poolBm25(terms, tokens);
    return items
      .map((item, i) => ({ id: item.id, score: scores[i] as number }))
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };
  const feedback = input.prf ? rank(new Map(expansionTerms(query, head).map((t) => [t, 1]))) : [];
  if (!input.neighbours) return { feedback, neighbours: [] };
  const near = await neighbourTerms(
    commonWords(query).filter(plainWord),
    [...new Set(tokens.flat())].filter(plainWord),
    input.neighbours.vectors,
    input.neighbours.threshold,
    input.signal,
  );
  return { feedback, neighbours: rank(near) };
}

/** A word worth a neighbour: three letters or more, no digits, not a month name. */
function plainWord(w: string): boolean {
  return w.length >= 3 && !/\p{N}/u.test(w) && !MONTHS.has(w);
}

/**
 * The query's content words that are not names: a word written with a capital letter anywhere
 * but at the start of the query is a name ("Melanie", "Lisbon"), matched as written, never by a
 * neighbour (names sit close to other names: Melanie–Caroline 0.60).
 */
export function commonWords(query: string): string[] {
  const names = new Set<string>();
  const words = [...query.matchAll(/[\p{L}\p{N}']+/gu)].map((m) => m[0]);
  for (const w of words.slice(1)) if (/^\p{Lu}/u.test(w)) for (const t of tokenize(w)) names.add(t);
  return tokenize(query).filter((t) => !names.has(t));
}
