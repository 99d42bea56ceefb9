import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { newId } from "../../core/ids.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { nowIso } from "../../core/time.js";
import { checkMessageSize, checkRequestSize } from "../../reader/limits.js";
import type { AddContext, MemoryHistory, MemoryInput, TextSearchOptions, UpdatePatch } from "./types.js";

/** Validate `add` input and fill ids, timestamps and context fields. */
export function materialize(inputs: MemoryInput[], context: AddContext = {}): TextualMemoryItem[] {
  if (!Array.isArray(inputs)) {
    throw new InvalidInputError({
      message: "add() takes a list of memories",
      hint: 'e.g. add(["Alice likes tea"])',
    });
  }
  const now = nowIso();
  const items = inputs.map((input, i) => {
    const raw = typeof input === "string" ? { memory: input } : input;
    if (typeof raw?.memory === "string") checkMessageSize(raw.memory, `memories[${i}].memory`);
    const parsed = TextualMemoryItem.safeParse({
      id: raw?.id ?? newId(),
      memory: typeof raw?.memory === "string" ? raw.memory.trim() : raw?.memory,
      metadata: {
        user_id: context.userId,
        session_id: context.sessionId,
        cube_id: context.cubeId,
        source: "conversation",
        created_at: now,
        updated_at: now,
        ...(raw?.metadata ?? {}),
      },
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidInputError({
        message: `memories[${i}].${issue?.path.join(".") || "memory"}: ${issue?.message ?? "invalid"}`,
        hint: "a memory is a non-empty string or {memory, metadata?}",
      });
    }
    return parsed.data;
  });
  checkRequestSize(
    items.map((i) => i.memory),
    `these ${items.length} memories`,
  );
  return items;
}

/** The item after an update: version bumped, the previous state appended to history. */
export function applyUpdate(
  old: TextualMemoryItem,
  patch: UpdatePatch,
  updateType = "update",
): TextualMemoryItem {
  const memory = patch.memory === undefined ? old.memory : patch.memory.trim();
  const now = nowIso();
  const parsed = TextualMemoryItem.safeParse({
    id: old.id,
    memory,
    metadata: {
      ...old.metadata,
      ...(patch.metadata ?? {}),
      // Bookkeeping fields are ours, whatever the patch says.
      version: old.metadata.version + 1,
      history: [
        ...old.metadata.history,
        {
          version: old.metadata.version,
          memory: old.memory,
          update_type: updateType,
          archived_memory_id: null,
          created_at: old.metadata.updated_at ?? old.metadata.created_at ?? now,
        },
      ],
      created_at: old.metadata.created_at,
      updated_at: now,
    },
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError({
      message: `update of ${old.id}: ${issue?.path.join(".") || "memory"} ${issue?.message ?? "invalid"}`,
      hint: "memory must stay a non-empty string; metadata fields must keep their types",
    });
  }
  return parsed.data;
}

export function historyOf(item: TextualMemoryItem): MemoryHistory {
  return {
    id: item.id,
    current: { version: item.metadata.version, memory: item.memory, updated_at: item.metadata.updated_at },
    history: item.metadata.history,
  };
}

/** The memory text an item had at `version` (its current text when version is current). */
export function textAtVersion(item: TextualMemoryItem, version: number): string {
  if (version === item.metadata.version) return item.memory;
  const entry = item.metadata.history.find((h) => h.version === version);
  if (!entry) {
    const known = [...item.metadata.history.map((h) => h.version), item.metadata.version];
    throw new NotFoundError({
      message: `memory ${item.id} has no version ${version}`,
      hint: `versions: ${known.join(", ")} (see memos history ${item.id})`,
    });
  }
  return entry.memory;
}

export function requireTopK(options: TextSearchOptions): number {
  const k = options.topK ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > 1000) {
    throw new InvalidInputError({
      message: `topK must be an integer from 1 to 1000, got ${k}`,
      hint: "e.g. --top-k 10",
    });
  }
  return k;
}

export function requireReferenceTime(value: TextSearchOptions["referenceTime"]): number | undefined {
  if (value === undefined) return undefined;
  const t = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(t)) {
    throw new InvalidInputError({
      message: `referenceTime is not a date: ${String(value)}`,
      hint: "use ISO 8601, e.g. 2025-05-08T13:56:00Z",
    });
  }
  return t;
}

const DAY = 86_400_000;

/**
 * Time-aware weighting against a reference time: 0 for items not valid then (not yet true, or
 * already invalidated), else a factor in (1, 1.2] favouring items near the reference time.
 */
export function temporalFactor(item: TextualMemoryItem, ref: number): number {
  const validAt = Date.parse(item.metadata.valid_at ?? item.metadata.created_at ?? "");
  const invalidAt = Date.parse(item.metadata.invalid_at ?? "");
  if (!Number.isNaN(validAt) && validAt > ref) return 0;
  if (!Number.isNaN(invalidAt) && invalidAt <= ref) return 0;
  if (Number.isNaN(validAt)) return 1;
  return 1 + 0.2 * Math.exp(-(ref - validAt) / (30 * DAY));
}
