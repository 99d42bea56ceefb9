import { InvalidInputError } from "../../../core/errors/invalid-input-error.js";
import { newId } from "../../../core/ids.js";
import type { MemoryFilter } from "../../../core/schema/filter.js";
import { type SourceMessage, TextualMemoryItem } from "../../../core/schema/memory.js";
import { nowIso } from "../../../core/time.js";
import { applyUpdate } from "../item-ops.js";
import { withoutEmbedding } from "../store-backed.js";
import {
  EXPLICIT_CONFIDENCE,
  IMPLICIT_CONFIDENCE,
  PREFERENCE_MEMORY_TYPE,
  PREFERENCE_TYPES,
  type PreferenceAddContext,
  type PreferenceCandidate,
  type PreferenceScope,
  type PreferenceType,
} from "./types.js";

/** A new preference item from an extracted candidate (MemOS's PreferenceTextualMemoryMetadata fields). */
export function candidateToItem(
  c: PreferenceCandidate,
  ctx: PreferenceAddContext,
  now = nowIso(),
): TextualMemoryItem {
  return TextualMemoryItem.parse({
    id: newId(),
    memory: c.preference,
    metadata: {
      user_id: ctx.userId,
      session_id: ctx.sessionId,
      cube_id: ctx.cubeId,
      memory_type: PREFERENCE_MEMORY_TYPE,
      preference_type: c.preference_type,
      preference: c.preference,
      topic: c.topic,
      tags: [c.topic],
      ...(c.reasoning ? { reasoning: c.reasoning } : {}),
      original_text: c.original_text,
      sources: c.sources,
      source: "conversation",
      confidence: confidenceOf(c.preference_type),
      valid_at: c.valid_at,
      created_at: now,
      updated_at: now,
    },
  });
}

/**
 * The stored preference after the user restated it: the new wording (a history entry
 * `preference_update` keeps the old), sources appended, explicit if either was explicit
 * (a stated preference outranks an inferred one), and the higher confidence. `valid_at` stays:
 * the preference has held since it was first seen.
 */
export function restate(old: TextualMemoryItem, c: PreferenceCandidate): TextualMemoryItem {
  const type: PreferenceType =
    old.metadata.preference_type === "explicit_preference" || c.preference_type === "explicit_preference"
      ? "explicit_preference"
      : "implicit_preference";
  const reasoning =
    c.reasoning ?? (typeof old.metadata.reasoning === "string" ? old.metadata.reasoning : undefined);
  const next = applyUpdate(
    old,
    {
      memory: c.preference,
      metadata: {
        preference_type: type,
        preference: c.preference,
        topic: c.topic,
        tags: [...new Set([...old.metadata.tags, c.topic])],
        ...(reasoning ? { reasoning } : {}),
        original_text: c.original_text,
        sources: appendSources(old.metadata.sources, c.sources),
        confidence: Math.max(old.metadata.confidence ?? 0, confidenceOf(c.preference_type)),
      },
    },
    "preference_update",
  );
  return withoutEmbedding(next);
}

/**
 * The older side of a conflict: it stays stored (history is never lost) but stops holding at
 * `at`, points to its successor in `evolve_to`, and records the conflict in its history, as the
 * reorganizer does for contradicting facts.
 */
export function supersede(loser: TextualMemoryItem, winnerId: string, at: string): TextualMemoryItem {
  const next = applyUpdate(
    loser,
    { metadata: { invalid_at: at, evolve_to: [...new Set([...loser.metadata.evolve_to, winnerId])] } },
    "conflict",
  );
  const last = next.metadata.history.at(-1);
  if (last) next.metadata.history[next.metadata.history.length - 1] = { ...last, conflicts_with: winnerId };
  return withoutEmbedding(next);
}

/** When a preference started holding: valid_at, else created_at (NaN when neither parses). */
export function statedAt(item: TextualMemoryItem): number {
  return Date.parse(item.metadata.valid_at ?? item.metadata.created_at ?? "");
}

export function isPreference(item: TextualMemoryItem): boolean {
  return item.metadata.memory_type === PREFERENCE_MEMORY_TYPE;
}

/** Filter for preferences in scope; `current` keeps only activated ones not overridden by a newer one. */
export function scopeFilter(scope: PreferenceScope & { current?: boolean }): MemoryFilter {
  const f: MemoryFilter = { memory_type: PREFERENCE_MEMORY_TYPE };
  if (scope.userId !== undefined) f.user_id = scope.userId;
  if (scope.preferenceType !== undefined) f.preference_type = requirePreferenceType(scope.preferenceType);
  if (scope.current) {
    f.status = "activated";
    f.invalid_at = null;
  }
  return f;
}

export function requirePreferenceType(value: unknown, where = "preferenceType"): PreferenceType {
  if (!PREFERENCE_TYPES.includes(value as PreferenceType)) {
    throw new InvalidInputError({
      message: `${where} must be "explicit_preference" or "implicit_preference", got ${JSON.stringify(value)}`,
      hint: 'e.g. { preferenceType: "explicit_preference" }',
    });
  }
  return value as PreferenceType;
}

function confidenceOf(type: PreferenceType): number {
  return type === "explicit_preference" ? EXPLICIT_CONFIDENCE : IMPLICIT_CONFIDENCE;
}

/** Old sources then the new ones, each turn once (by message id, else role + time + content). */
function appendSources(old: SourceMessage[], added: SourceMessage[]): SourceMessage[] {
  const key = (s: SourceMessage) => s.message_id ?? `${s.role}\u0000${s.chat_time}\u0000${s.content}`;
  const seen = new Set(old.map(key));
  return [...old, ...added.filter((s) => !seen.has(key(s)) && seen.add(key(s)))];
}
