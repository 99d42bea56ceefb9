import type { LanguageModel } from "../../../core/interfaces/language-model.js";
import type { SourceMessage } from "../../../core/schema/memory.js";
import { nowIso, parseChatTime } from "../../../core/time.js";
import { generateObject } from "../../../providers/shared/generate-object.js";
import type { ChatMessage } from "../../../reader/chat-schema.js";
import { findPreferences } from "../../../reader/preference-rules.js";
import { buildExtractionPrompt, extractionSchema, type PromptTurn, renderTurn } from "./prompts.js";
import type { PreferenceCandidate, PreferenceType } from "./types.js";

export interface ExtractOptions {
  /** Largest slice of the conversation per model call, in characters. Default 12000. */
  windowChars?: number;
  /** Cap on each answer, in tokens. Default 1024. */
  maxTokens?: number;
}

/** Turns repeated at the start of the next slice, so a preference spanning the cut is still seen whole. */
const OVERLAP_TURNS = 2;

/**
 * Ask the model for the user's explicit and implicit preferences, one `generateObject` call per
 * slice of the conversation (sequential: local backends serve one request at a time anyway).
 * Any failed call throws (LLMOutputError, ProviderError): the caller decides, nothing is half-done.
 *
 * @example
 * const found = await extractPreferences(llm, [{ role: "user", content: "I'm vegetarian" }]);
 * // [{ preference_type: "explicit_preference", preference: "The user is vegetarian", topic: "food", ... }]
 */
export async function extractPreferences(
  llm: LanguageModel,
  messages: ChatMessage[],
  options: ExtractOptions = {},
): Promise<PreferenceCandidate[]> {
  const now = nowIso();
  const turns = messages.map(toTurn);
  const found: PreferenceCandidate[] = [];
  for (const slice of slices(turns, options.windowChars ?? 12_000)) {
    const local = slice.map((t, i) => ({ ...t, index: i }));
    const { object } = await generateObject(
      llm,
      buildExtractionPrompt(local),
      extractionSchema(local.length),
      {
        schemaName: "preferences",
        temperature: 0,
        maxTokens: options.maxTokens ?? 1024,
      },
    );
    const at = (i: number) => slice[i]?.index ?? 0;
    for (const e of object.explicit) {
      found.push(
        candidate(
          "explicit_preference",
          e.preference,
          e.topic,
          undefined,
          at(e.evidence_index),
          messages,
          now,
        ),
      );
    }
    for (const e of object.implicit) {
      found.push(
        candidate(
          "implicit_preference",
          e.preference,
          e.topic,
          e.reasoning,
          at(e.evidence_index),
          messages,
          now,
        ),
      );
    }
  }
  return dropRepeats(found);
}

/**
 * Fast mode, no LLM: the explicit preferences the user's own messages state, found by rules
 * (see reader/preference-rules.ts), each sentence as written; the topic is the rule's kind
 * (like, dislike, diet, habit). Assistant and system messages are skipped.
 *
 * @example
 * extractPreferencesByRules([{ role: "user", content: "I can't stand horror films." }]);
 * // [{ preference_type: "explicit_preference", preference: "I can't stand horror films.", topic: "dislike", ... }]
 */
export function extractPreferencesByRules(messages: ChatMessage[]): PreferenceCandidate[] {
  const now = nowIso();
  const found: PreferenceCandidate[] = [];
  messages.forEach((m, i) => {
    const role = m.role.trim().toLowerCase();
    if (role === "assistant" || role === "system") return;
    for (const p of findPreferences(m.content)) {
      found.push(candidate("explicit_preference", p.text, p.kind, undefined, i, messages, now));
    }
  });
  return dropRepeats(found);
}

function toTurn(m: ChatMessage, index: number): PromptTurn {
  return {
    index,
    role: m.role,
    speaker: m.speaker,
    time: parseChatTime(m.chat_time) ?? m.chat_time,
    content: m.content,
  };
}

/** Consecutive slices of at most `maxChars` rendered characters (at least one turn each), overlapping. */
function slices(turns: PromptTurn[], maxChars: number): PromptTurn[][] {
  const out: PromptTurn[][] = [];
  let start = 0;
  while (start < turns.length) {
    let end = start;
    let chars = 0;
    while (end < turns.length) {
      const len = renderTurn(turns[end] as PromptTurn).length + 1;
      if (end > start && chars + len > maxChars) break;
      chars += len;
      end++;
    }
    out.push(turns.slice(start, end));
    if (end >= turns.length) break;
    start = Math.max(start + 1, end - OVERLAP_TURNS);
  }
  return out;
}

function candidate(
  type: PreferenceType,
  preference: string,
  topic: string,
  reasoning: string | undefined,
  evidence: number,
  messages: ChatMessage[],
  now: string,
): PreferenceCandidate {
  const m = messages[evidence] as ChatMessage;
  const time = parseChatTime(m.chat_time);
  const source: SourceMessage = {
    type: "chat",
    role: m.role,
    ...(m.speaker ? { speaker: m.speaker } : {}),
    ...(m.chat_time ? { chat_time: time ?? m.chat_time } : {}),
    ...(m.message_id ? { message_id: m.message_id } : {}),
    content: m.content,
  };
  return {
    preference_type: type,
    preference,
    topic: topic.toLowerCase(),
    ...(reasoning ? { reasoning } : {}),
    evidence_index: evidence,
    sources: [source],
    original_text: renderTurn(toTurn(m, evidence)),
    valid_at: time ?? now,
  };
}

/** Overlapping slices can report a preference twice: keep the last report (latest evidence). */
function dropRepeats(found: PreferenceCandidate[]): PreferenceCandidate[] {
  const byText = new Map<string, PreferenceCandidate>();
  for (const c of found) {
    const key = `${c.preference_type}\u0000${c.preference.toLowerCase()}`;
    byText.delete(key);
    byText.set(key, c);
  }
  return [...byText.values()];
}
