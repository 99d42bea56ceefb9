import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import {
  type HistoryEntry,
  type SourceMessage,
  TextualMemoryItem,
  type TextualMemoryMetadata,
  type UsageEntry,
} from "../core/schema/memory.js";
import { nowIso } from "../core/time.js";

/** What changed a node, recorded in the history entry that snapshots its previous state. */
export interface ChangeNote {
  update_type: string;
  archived_memory_id?: string | null;
  /** Extra fields kept on the entry (HistoryEntry is a loose object), e.g. `merged_into`. */
  extra?: Record<string, unknown>;
}

/**
 * The node after a change: the previous state appended to `history` (same convention as
 * memory/textual's applyUpdate: the entry holds the version and text being replaced, so
 * `textAtVersion` and rollback keep working), `version` bumped, `updated_at` now.
 */
export function revise(
  old: TextualMemoryItem,
  patch: { memory?: string; metadata?: Partial<TextualMemoryMetadata> },
  note: ChangeNote,
  now = nowIso(),
): TextualMemoryItem {
  const entry: HistoryEntry = {
    ...(note.extra ?? {}),
    version: old.metadata.version,
    memory: old.memory,
    update_type: note.update_type,
    archived_memory_id: note.archived_memory_id ?? null,
    created_at: old.metadata.updated_at ?? old.metadata.created_at ?? now,
  };
  const parsed = TextualMemoryItem.safeParse({
    id: old.id,
    memory: patch.memory ?? old.memory,
    metadata: {
      ...old.metadata,
      ...(patch.metadata ?? {}),
      embedding: undefined, // the store keeps the vector; never duplicate it in metadata
      version: old.metadata.version + 1,
      history: [...old.metadata.history, entry],
      created_at: old.metadata.created_at,
      updated_at: now,
    },
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError({
      message: `reorganizer: revising ${old.id} gave an invalid memory (${issue?.path.join(".")}: ${issue?.message})`,
      hint: "this is a bug in the reorganizer; the store was not changed",
    });
  }
  return parsed.data;
}

/** When the fact started holding (valid_at), else when we learnt it; NaN when unknown. */
export function factTime(item: TextualMemoryItem): number {
  return Date.parse(item.metadata.valid_at ?? item.metadata.created_at ?? "");
}

/** Sort key "older first": created_at, then id, so the choice never depends on input order. */
export function olderFirst(a: TextualMemoryItem, b: TextualMemoryItem): number {
  const ta = Date.parse(a.metadata.created_at ?? "");
  const tb = Date.parse(b.metadata.created_at ?? "");
  const x = Number.isNaN(ta) ? Number.POSITIVE_INFINITY : ta;
  const y = Number.isNaN(tb) ? Number.POSITIVE_INFINITY : tb;
  if (x !== y) return x - y;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function unionStrings(...lists: (readonly string[] | undefined)[]): string[] {
  const out: string[] = [];
  for (const list of lists) for (const s of list ?? []) if (!out.includes(s)) out.push(s);
  return out;
}

/** Union by JSON value, first occurrence order. */
export function unionByJson<T extends SourceMessage | UsageEntry>(
  ...lists: (readonly T[] | undefined)[]
): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const list of lists) {
    for (const x of list ?? []) {
      const k = JSON.stringify(x);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(x);
      }
    }
  }
  return out;
}

/** The earliest of some ISO timestamps (as written), or null when none parses. */
export function earliest(...values: (string | null | undefined)[]): string | null {
  let best: string | null = null;
  let bestT = Number.POSITIVE_INFINITY;
  for (const v of values) {
    const t = Date.parse(v ?? "");
    if (!Number.isNaN(t) && t < bestT) {
      bestT = t;
      best = v ?? null;
    }
  }
  return best;
}

/** A node the reorganizer may compare or cluster: activated, still valid, not a summary. */
export function isLiveFact(item: TextualMemoryItem): boolean {
  return item.metadata.status === "activated" && !item.metadata.invalid_at && item.metadata.type !== "topic";
}
