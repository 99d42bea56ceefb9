/**
 * Query analysis without an LLM: what kind of answer a query wants, read from its words.
 * Used to open extra recall paths (the user's stated preferences for a request for advice).
 *
 * @module
 */
import type { ScoredId } from "../core/interfaces/store.js";
import type { FilterNode } from "../core/schema/filter.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
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

/** Score factor of a one-speaker memory whose speaker the query names. */
export const SPEAKER_BOOST = 0.2;

/** The speaker of a one-speaker memory (a turn), from its `speaker:` tag; undefined for windows. */
function soleSpeaker(item: TextualMemoryItem): string | undefined {
  const speakers = (item.metadata.tags ?? []).filter((t) => t.startsWith("speaker:"));
  return speakers.length === 1 ? (speakers[0] as string).slice("speaker:".length) : undefined;
}

/**
 * Raise, by SPEAKER_BOOST, the score of each turn whose speaker the query names ("What did
 * Caroline research?" → Caroline's own turns): facts about a person are mostly in their own words.
 * Returns new objects, re-sorted by score; the input order breaks ties.
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
  const words = new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const out = results.map((r, i) => {
    const speaker = soleSpeaker(itemOf(r));
    // A speaker is named when their first name is a word of the query.
    const named = speaker !== undefined && words.has(speaker.split(" ")[0] as string);
    return { r: named ? { ...r, score: r.score * (1 + SPEAKER_BOOST) } : r, i };
  });
  out.sort((a, b) => b.r.score - a.r.score || a.i - b.i);
  return out.map((o) => o.r);
}
