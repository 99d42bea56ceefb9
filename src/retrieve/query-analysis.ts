/**
 * Query analysis without an LLM: what kind of answer a query wants, read from its words.
 * Used to open extra recall paths (the user's stated preferences for a request for advice).
 *
 * @module
 */
import type { ScoredId } from "../core/interfaces/store.js";
import type { FilterNode } from "../core/schema/filter.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { MONTHS as MONTH_NAMES } from "../core/time.js";
import type { RankedList } from "./rrf.js";

/** Tag the fast reader puts on a turn that states a preference (see reader/preference-rules.ts). */
export const PREFERENCE_TAG = "preference";

/**
 * A request for advice, a recommendation or a choice, made to the assistant (in the first or
 * second person): the asker's tastes decide the answer. "What did Tim recommend to John?" asks
 * about a past event, not for advice, and does not match.
 */
const ADVICE = new RegExp(
  [
    "\\b(?:can|could|would|will) you\\b.*\\b(?:recommend|suggest|help|find|give|share|propose|list|plan|advise|point)",
    "\\bwhat (?:would|do|could) you (?:recommend|suggest|advise|propose)",
    "\\b(?:recommend|suggest)\\w* (?:\\w+ )?(?:for|to) (?:me|us)\\b",
    "\\b(?:what|which|where|how) (?:\\w+ )?(?:should|could|can) (?:i|we)\\b",
    "\\bshould (?:i|we)\\b",
    "\\bi(?:'m| am) (?:looking|trying|planning|thinking|considering|hoping|searching)\\b",
    "\\bhelp me\\b",
    "\\bany (?:good )?(?:suggestions|recommendations|ideas|tips|advice)\\b",
    "\\b(?:ideas|options|tips|suggestions|recommendations) (?:for|on) (?:me|my|us|our)\\b",
    "\\bi (?:want|need|would like|'d like) (?:to|some|a|an|new)\\b",
    "\\bfor me\\b",
    "\\bnear me\\b",
    "\\b(?:i|we) (?:should|could|might|can) (?:try|attend|check|consider|read|watch|play|buy|get|visit|use|do|go|learn|join|take)\\b",
    "\\brecommended\\b",
    "\\bwhat are (?:some|the best|good|a few)(?: \\w+)?(?: \\w+)? (?:resources|ways|options|ideas|tips|places|courses|methods|strategies|approaches)\\b",
  ].join("|"),
  "i",
);

export interface QueryAnalysis {
  /** The query asks the assistant for advice, so the user's stated preferences are worth recalling. */
  seeksPreference: boolean;
}

/**
 * Read a query's intent from its words.
 *
 * @example
 * analyzeQuery("Can you recommend a good video editor?").seeksPreference; // true
 * analyzeQuery("When did Caroline move to Sweden?").seeksPreference;      // false
 */
export function analyzeQuery(query: string): QueryAnalysis {
  return { seeksPreference: ADVICE.test(query) };
}

// "What kind of art…" asks about art: after what/which, "kind/type/sort of" only frames the
// question, and as a search word "kind" found "your kind words" (LoCoMo dev: +0.004 evidence
// recall at 500 tokens, single-hop +0.006).
const QUESTION_FRAME = /\b(what|which)\s+(?:kinds?|types?|sorts?)\s+of\s+/giu;

/**
 * The words a fast search should look for: the query without its question frame.
 *
 * @example
 * questionTopic("What kind of art does Caroline make?"); // "What art does Caroline make?"
 */
export function questionTopic(query: string): string {
  const topic = query.replace(QUESTION_FRAME, "$1 ").trim();
  return topic === "" ? query : topic;
}

/** `filter` narrowed to memories tagged as stated preferences. */
export function preferenceOnly(filter: FilterNode | undefined): FilterNode {
  const tag: FilterNode = { kind: "cmp", field: "tags", op: "contains", value: PREFERENCE_TAG };
  return filter ? { kind: "and", children: [filter, tag] } : tag;
}

/** Stated preferences recalled for a request for advice (a user states few; the best few matter). */
export const PREFERENCE_CANDIDATES = 10;
/**
 * RRF weight of the preference list: a stated preference close to a request for advice is the
 * memory the answer most depends on, so it counts as much as the vector and keyword lists together.
 */
export const PREFERENCE_WEIGHT = 2;

/** The preference hits as a fusion list (recorded under the "vector" path: it is a vector search). */
export function preferenceList(hits: ScoredId[]): RankedList<"vector"> {
  return { path: "vector", results: hits, weight: PREFERENCE_WEIGHT };
}

/**
 * Whether the query names a speaker: their first name is a word of it, in any case. One rule
 * for the speaker boost and the speaker focus (speaker-focus.ts).
 *
 * @example
 * speakerNamedIn("What does melanie paint?")("Melanie Ng"); // true
 */
export function speakerNamedIn(query: string): (speaker: string | undefined) => boolean {
  const words = new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  return (speaker) => {
    const first = speaker?.toLowerCase().match(/[\p{L}\p{N}]+/u)?.[0];
    return first !== undefined && words.has(first);
  };
}

/** Score factor of a one-speaker memory whose speaker the query names. */
export const SPEAKER_BOOST = 0.2;
/**
 * Score factor of a one-speaker memory by someone else when the query names a speaker that
 * results hold: in LoCoMo ~96 % of the evidence for a question naming one person is that person's
 * own turns, and the other speaker's turns took ~10 % of a 1,000-token context.
 */
export const OTHER_SPEAKER_FACTOR = 0.7;

/** The speaker of a one-speaker memory (a turn), from its `speaker:` tag; undefined for windows. */
function soleSpeaker(item: TextualMemoryItem): string | undefined {
  const speakers = (item.metadata.tags ?? []).filter((t) => t.startsWith("speaker:"));
  return speakers.length === 1 ? (speakers[0] as string).slice("speaker:".length) : undefined;
}

/**
 * Raise, by SPEAKER_BOOST, the score of each turn whose speaker the query names ("What did
 * Caroline research?" → Caroline's own turns): facts about a person are mostly in their own words.
 * When some result is such a turn, turns by other speakers take OTHER_SPEAKER_FACTOR; windows
 * (several speakers) and memories without a speaker keep their score. Returns new objects,
 * re-sorted by score; the input order breaks ties.
 *
 * @example
 * boostNamedSpeakers("what does Melanie paint?", hits, (h) => h.item); // Melanie's turns first among equals
 */
export function boostNamedSpeakers<T extends { score: number }>(
  query: string,
  results: readonly T[],
  itemOf: (r: T) => TextualMemoryItem,
): T[] {
  if (SPEAKER_BOOST <= 0) return [...results];
  const isNamed = speakerNamedIn(query);
  const speakers = results.map((r) => soleSpeaker(itemOf(r)));
  const anyNamed = speakers.some(isNamed);
  const out = results.map((r, i) => {
    const speaker = speakers[i];
    if (isNamed(speaker)) return { r: { ...r, score: r.score * (1 + SPEAKER_BOOST) }, i };
    if (anyNamed && speaker !== undefined) return { r: { ...r, score: r.score * OTHER_SPEAKER_FACTOR }, i };
    return { r, i };
  });
  out.sort((a, b) => b.r.score - a.r.score || a.i - b.i);
  return out.map((o) => o.r);
}

const MONTH =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const DAY_MONTH_YEAR = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?: of)? ${MONTH},? (\\d{4})\\b`, "gi");
const MONTH_DAY_YEAR = new RegExp(`\\b${MONTH} (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})\\b`, "gi");
const MONTH_YEAR = new RegExp(`\\b${MONTH},? (\\d{4})\\b`, "gi");
const ISO_DATE = /\b(\d{4})-(\d{2})-(\d{2})\b/g;

const monthName = (m: string) => {
  const i = MONTH_NAMES.findIndex((n) => n.startsWith(m.toLowerCase().slice(0, 3)));
  const name = MONTH_NAMES[i] as string;
  return name.charAt(0).toUpperCase() + name.slice(1);
};

/**
 * The calendar dates a query names, written as memories write them ("7 May 2023", or "May 2023"
 * for a month): the session stamp of a turn and the annotations of its relative dates use this form.
 *
 * @example
 * queryDates("What did Caroline do on May 7th, 2023?"); // ["7 May 2023"]
 * queryDates("Where was Jon in June 2023?");            // ["June 2023"]
 */
export function queryDates(query: string): string[] {
  const out = new Set<string>();
  for (const m of query.matchAll(DAY_MONTH_YEAR))
    out.add(`${Number(m[1])} ${monthName(m[2] as string)} ${m[3]}`);
  for (const m of query.matchAll(MONTH_DAY_YEAR))
    out.add(`${Number(m[2])} ${monthName(m[1] as string)} ${m[3]}`);
  for (const m of query.matchAll(ISO_DATE)) {
    const month = MONTH_NAMES[Number(m[2]) - 1];
    if (month) out.add(`${Number(m[3])} ${monthName(month)} ${m[1]}`);
  }
  if (out.size === 0)
    for (const m of query.matchAll(MONTH_YEAR)) out.add(`${monthName(m[1] as string)} ${m[2]}`);
  return [...out];
}

/** Score factor of a memory that names a date the query names. */
export const DATE_BOOST = 0.5;

/**
 * Query-aware reordering of recalled results: a turn by a speaker the query names gains
 * SPEAKER_BOOST, a memory whose text holds a date the query names (its stamp, or an annotated
 * "yesterday [7 May 2023]") gains DATE_BOOST. Re-sorted by score; the input order breaks ties.
 *
 * @example
 * boostByQuery("What did Caroline do on 7 May 2023?", hits, (h) => h.item);
 */
export function boostByQuery<T extends { score: number }>(
  query: string,
  results: readonly T[],
  itemOf: (r: T) => TextualMemoryItem,
): T[] {
  const dates = queryDates(query);
  const named = boostNamedSpeakers(query, results, itemOf);
  if (dates.length === 0) return named;
  const out = named.map((r, i) => {
    const text = itemOf(r).memory;
    return { r: dates.some((d) => text.includes(d)) ? { ...r, score: r.score * (1 + DATE_BOOST) } : r, i };
  });
  out.sort((a, b) => b.r.score - a.r.score || a.i - b.i);
  return out.map((o) => o.r);
}
