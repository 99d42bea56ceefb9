/**
 * Chat granularities of the fast reader: besides token windows (context), each turn can be a
 * memory of its own, so a short fact is not diluted among its neighbours and a search can
 * spend a context budget on exactly the turns that matter.
 *
 * @module
 */
import { newId } from "../core/ids.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { PREFERENCE_TAG } from "../retrieve/query-analysis.js";
import type { Turn } from "./chat-windows.js";
import { windowSources } from "./chat-windows.js";
import { baseMetadata } from "./common.js";
import { findPreferences } from "./preference-rules.js";
import { firstWords, MONTHS } from "./text.js";
import type { ReadContext } from "./types.js";

/**
 * What the fast reader stores for a chat: `"window"` (token windows with overlap), `"turn"`
 * (one memory per message, or per piece of a message too long for a window), or `"both"`.
 */
export type ChatGranularity = "window" | "turn" | "both";

/** Tag of a one-turn memory; window memories carry `granularity:window`. */
export const TURN_TAG = "granularity:turn";
export const WINDOW_TAG = "granularity:window";

/** "8 May 2023": short enough to precede every turn, enough to answer "when". */
export function shortDate(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** The text of a one-turn memory: `[8 May 2023] Speaker: line`. */
export function renderTurn(turn: Turn): string {
  return `[${shortDate(turn.time)}] ${turn.speaker}: ${turn.line}`;
}

/**
 * The fast memory item of one turn: its dated line, the speaker as a tag, the turn as its only
 * source (so a search result names the turn it holds). A non-assistant turn that states a
 * preference by rule ("I can't stand…", "I'm vegan") is tagged `preference` and
 * `preference:<kind>`, so a request for advice can recall it (see retrieve/query-analysis.ts).
 *
 * @example
 * fastTurnItem(turn, { userId: "u1" }, now).memory; // "[8 May 2023] Caroline: I went to a support group yesterday [7 May 2023]."
 */
export function fastTurnItem(turn: Turn, ctx: ReadContext, now: string): TextualMemoryItem {
  const role = turn.role.trim().toLowerCase();
  // The speaker's own tastes: an assistant's "I'd prefer…" is not the user's preference.
  const kinds =
    role === "assistant" || role === "system"
      ? []
      : [...new Set(findPreferences(turn.content).map((p) => p.kind))];
  const preferenceTags =
    kinds.length > 0 ? [PREFERENCE_TAG, ...kinds.map((k) => `${PREFERENCE_TAG}:${k}`)] : [];
  return {
    id: newId(),
    memory: renderTurn(turn),
    metadata: {
      ...baseMetadata(ctx, now),
      type: "fact",
      memory_type: role === "user" ? "UserMemory" : "LongTermMemory",
      key: `${turn.speaker}: ${firstWords(turn.content, 8)}`, // splits on any whitespace
      tags: [
        "mode:fast",
        TURN_TAG,
        `speaker:${turn.speaker.toLowerCase().replace(/\s+/g, " ")}`,
        ...preferenceTags,
      ],
      source: "conversation",
      sources: windowSources([turn]),
      valid_at: turn.time,
    },
  };
}
