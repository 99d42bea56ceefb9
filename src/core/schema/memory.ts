import { z } from "zod";

/** Lifecycle of a memory (MemOS `status`). Only `activated` items are returned by search. */
export const MemoryStatus = z.enum(["activated", "resolving", "archived", "deleted"]);
export type MemoryStatus = z.infer<typeof MemoryStatus>;

/** The memory types MemOS knows; other strings are kept as they are (MemOS's own list grows). */
export const KNOWN_MEMORY_TYPES = [
  "WorkingMemory",
  "LongTermMemory",
  "UserMemory",
  "OuterMemory",
  "PreferenceMemory",
] as const;
export type KnownMemoryType = (typeof KNOWN_MEMORY_TYPES)[number];
/** A memory's kind (WorkingMemory, LongTermMemory, UserMemory, PreferenceMemory, ...); open-ended, as in MemOS. */
export const MemoryType = z.string().min(1);

/** Where a memory came from: conversation, retrieved, web, file or system. */
export const MemorySource = z.enum(["conversation", "retrieved", "web", "file", "system"]);
export const Visibility = z.enum(["private", "public", "session"]);

/**
 * Provenance of a memory: the message or document it came from. MemOS sometimes writes each
 * source as a JSON-encoded string (even twice encoded); we accept that and decode it.
 */
export const SourceMessage = z.looseObject({
  type: z.string().optional(), // "chat" | "doc" | ...
  role: z.string().optional(),
  speaker: z.string().optional(),
  chat_time: z.string().optional(),
  message_id: z.string().optional(),
  content: z.string().optional(),
  doc_path: z.string().optional(),
  lang: z.string().optional(),
});
export type SourceMessage = z.infer<typeof SourceMessage>;

function decodeJsonString(value: unknown): unknown {
  let v = value;
  for (let i = 0; i < 3 && typeof v === "string"; i++) {
    try {
      v = JSON.parse(v);
    } catch {
      return { type: "text", content: value };
    }
  }
  return v;
}
const SourceEntry = z.preprocess(decodeJsonString, SourceMessage);

/** One earlier state of a memory, appended on every update (MemOS `history`). */
export const HistoryEntry = z.looseObject({
  version: z.number().int().nonnegative(),
  memory: z.string(),
  update_type: z.string().default("update"),
  archived_memory_id: z.string().nullish(),
  created_at: z.string(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** A retrieval of this memory: when, and for which query. MemOS stores these as strings. */
export const UsageEntry = z.union([
  z.string(),
  z.looseObject({ time: z.string(), query: z.string().optional() }),
]);
export type UsageEntry = z.infer<typeof UsageEntry>;

const isoish = z.string().min(1);

/**
 * Metadata of a textual memory, snake_case as on MemOS's wire. Unknown fields are kept, so a
 * MemOS export round-trips through us unchanged.
 */
export const TextualMemoryMetadata = z.looseObject({
  user_id: z.string().nullish(),
  session_id: z.string().nullish(),
  cube_id: z.string().nullish(),
  status: MemoryStatus.default("activated"),
  type: z.string().nullish(), // fact | event | opinion | topic | reasoning | procedure | ...
  key: z.string().nullish(),
  tags: z.array(z.string()).default([]),
  /** 0–100 in MemOS's general memory, 0–1 in its tree memory; kept as written. */
  confidence: z.number().min(0).max(100).nullish(),
  source: z.string().nullish(),
  visibility: z.string().nullish(),
  memory_type: MemoryType.default("LongTermMemory"),
  sources: z.array(SourceEntry).default([]),
  embedding: z.array(z.number()).nullish(),
  background: z.string().nullish(),
  usage: z.array(UsageEntry).default([]),
  memory_time: z.string().nullish(),
  entities: z.array(z.string()).nullish(),
  created_at: isoish.optional(),
  updated_at: isoish.optional(),
  version: z.number().int().positive().default(1),
  history: z.array(HistoryEntry).default([]),
  evolve_to: z.array(z.string()).default([]),
  /** Bi-temporal validity: when the fact started / stopped holding in the world. */
  valid_at: z.string().nullish(),
  invalid_at: z.string().nullish(),
});
export type TextualMemoryMetadata = z.infer<typeof TextualMemoryMetadata>;
/** Memory metadata as callers write it (before defaults and validation). */
export type TextualMemoryMetadataInput = z.input<typeof TextualMemoryMetadata>;

/** `{id, memory, metadata}`: the unit of textual memory, as MemOS serialises it. */
export const TextualMemoryItem = z.object({
  id: z.string().min(1),
  memory: z.string().min(1, "memory text must not be empty"),
  metadata: TextualMemoryMetadata,
});
export type TextualMemoryItem = z.infer<typeof TextualMemoryItem>;
/** A memory item as callers write it (before defaults and validation). */
export type TextualMemoryItemInput = z.input<typeof TextualMemoryItem>;

/** Relations between memories in the tree/graph memory. */
export const EDGE_TYPES = [
  "PARENT",
  "RELATE_TO",
  "CAUSE",
  "CONDITION",
  "CONFLICT",
  "MERGED_TO",
  "FOLLOWS",
  "INFERS",
  "AGGREGATE_TO",
] as const;
/** The kinds of edges between memories (MemOS's names: PARENT, RELATE_TO, CAUSE, CONFLICT, MERGED_TO, ...). */
export const EdgeType = z.enum(EDGE_TYPES);
export type EdgeType = z.infer<typeof EdgeType>;

/** A typed, directed edge between two memories (`source` → `target`). */
export const MemoryEdge = z.looseObject({
  source: z.string().min(1),
  target: z.string().min(1),
  type: EdgeType,
});
export type MemoryEdge = z.infer<typeof MemoryEdge>;

/** MemOS's `textual_memory.json` for tree memory: `{nodes, edges, total_nodes, total_edges}`. */
export const TextualMemoryExport = z.object({
  nodes: z.array(TextualMemoryItem),
  edges: z.array(MemoryEdge).default([]),
  total_nodes: z.number().int().nonnegative().optional(),
  total_edges: z.number().int().nonnegative().optional(),
});
export type TextualMemoryExport = z.infer<typeof TextualMemoryExport>;

/**
 * MemOS's general (vector) memory writes a list of Qdrant-like points
 * `[{id, vector, payload: {id, memory, metadata}}]`; we read that too.
 */
export const GeneralMemoryPoint = z.object({
  id: z.string(),
  vector: z.array(z.number()).nullish(),
  payload: TextualMemoryItem,
});
