import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../../../core/errors/invalid-input-error.js";
import { TextualMemoryExport, TextualMemoryItem } from "../../../core/schema/memory.js";
import { readDumpJson, writeFileAtomic } from "../persist.js";
import { PREFERENCE_MEMORY_TYPE, PREFERENCE_TYPES, type PreferenceType } from "./types.js";

/**
 * MemOS's preference dump: one list per vector-DB collection (`explicit_preference`,
 * `implicit_preference`), each entry a Milvus point `{id, memory, original_text, vector, payload}`
 * where payload is the metadata without the embedding. We write exactly that, so MemOS loads our
 * dumps, and our payload keeps every metadata field (history, version, sources), so our own
 * round trip is exact.
 */
export interface PreferencePoint {
  id: string;
  memory: string;
  original_text?: string;
  vector?: number[];
  payload: Record<string, unknown>;
}
export type PreferenceDump = Partial<Record<PreferenceType, PreferencePoint[]>> &
  Record<string, PreferencePoint[]>;

/**
 * Items (with `metadata.embedding`) → MemOS's collection-keyed dump, both collections always present.
 *
 * @example
 * toPreferenceDump(items); // { explicit_preference: [{ id, memory, vector, payload }], implicit_preference: [] }
 */
export function toPreferenceDump(items: TextualMemoryItem[]): PreferenceDump {
  const out: Record<PreferenceType, PreferencePoint[]> = { explicit_preference: [], implicit_preference: [] };
  for (const item of items) {
    const { embedding, ...payload } = item.metadata;
    const type = PREFERENCE_TYPES.includes(payload.preference_type as PreferenceType)
      ? (payload.preference_type as PreferenceType)
      : "explicit_preference";
    const original = typeof payload.original_text === "string" ? payload.original_text : undefined;
    out[type].push({
      id: item.id,
      memory: item.memory,
      ...(original ? { original_text: original } : {}),
      ...(embedding ? { vector: embedding } : {}),
      payload,
    });
  }
  return out;
}

export function writePreferenceDump(dir: string, filename: string, items: TextualMemoryItem[]): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, filename);
  writeFileAtomic(path, JSON.stringify(toPreferenceDump(items), null, 2));
  return path;
}

/**
 * Read a preference dump into items (embedding in `metadata.embedding` when the file has one).
 * Accepts MemOS's collection-keyed points, a `{nodes, edges}` textual export, or a plain list of
 * items or points. Every item comes out as a PreferenceMemory with a preference_type (from its
 * payload, else its collection) and a `preference` (else its text).
 *
 * @example
 * const items = readPreferenceDump("./memos-cube", "preference_textual_memories.json");
 */
export function readPreferenceDump(dir: string, filename: string): TextualMemoryItem[] {
  const { path, raw } = readDumpJson(dir, filename);
  if (Array.isArray(raw)) return raw.map((e, i) => toItem(e, undefined, `${path}[${i}]`));
  if (typeof raw !== "object" || raw === null) throw shapeError(path);
  if ("nodes" in raw) {
    const parsed = TextualMemoryExport.safeParse(raw);
    if (!parsed.success) throw shapeError(path, parsed.error.issues[0]?.message);
    return parsed.data.nodes.map((n, i) => toItem(n, undefined, `${path}.nodes[${i}]`));
  }
  const items: TextualMemoryItem[] = [];
  for (const [collection, entries] of Object.entries(raw)) {
    if (!Array.isArray(entries)) throw shapeError(path, `"${collection}" is not a list`);
    const fallback = PREFERENCE_TYPES.includes(collection as PreferenceType)
      ? (collection as PreferenceType)
      : undefined;
    for (const [i, e] of entries.entries()) items.push(toItem(e, fallback, `${path}.${collection}[${i}]`));
  }
  return items;
}

function toItem(entry: unknown, collection: PreferenceType | undefined, where: string): TextualMemoryItem {
  const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
  const isPoint = typeof e.payload === "object" && e.payload !== null;
  const meta = ((isPoint ? e.payload : e.metadata) ?? {}) as Record<string, unknown>;
  const text = [
    e.memory,
    meta.memory,
    meta.preference,
    meta.explicit_preference,
    meta.implicit_preference,
    meta.dialog_str,
  ].find((t): t is string => typeof t === "string" && t.trim() !== "");
  const type = meta.preference_type ?? collection ?? "explicit_preference";
  const { memory: _inPayload, score: _score, ...rest } = meta;
  const parsed = TextualMemoryItem.safeParse({
    id: e.id,
    memory: text,
    metadata: {
      ...rest,
      memory_type: PREFERENCE_MEMORY_TYPE,
      preference_type: type,
      preference: typeof meta.preference === "string" && meta.preference ? meta.preference : text,
      ...(typeof e.original_text === "string" && meta.original_text === undefined
        ? { original_text: e.original_text }
        : {}),
      embedding: isPoint ? (e.vector ?? meta.embedding ?? null) : (meta.embedding ?? null),
    },
  });
  if (!parsed.success || !PREFERENCE_TYPES.includes(type as PreferenceType)) {
    const issue = parsed.success
      ? { path: ["metadata", "preference_type"], message: `unknown ${String(type)}` }
      : parsed.error.issues[0];
    throw new InvalidInputError({
      message: `${where}: ${issue?.path.join(".") || "entry"} ${issue?.message ?? "is not a preference"}`,
      hint: "expected MemOS's {explicit_preference: [{id, memory, vector, payload}], implicit_preference: [...]}",
    });
  }
  return parsed.data;
}

function shapeError(path: string, detail?: string): InvalidInputError {
  return new InvalidInputError({
    message: `${path} is not a preference dump${detail ? ` (${detail})` : ""}`,
    hint: "expected MemOS's {explicit_preference: [...], implicit_preference: [...]} or {nodes, edges}",
  });
}
