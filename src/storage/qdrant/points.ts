/**
 * Memories as Qdrant points. Qdrant takes only UUIDs or integers as point ids, so a point's id is
 * a UUID derived from (cube, memory id) and the memory id travels in the payload. The payload is
 * the memory as JSON (Qdrant payloads hold nested JSON), plus what the store itself needs.
 */
import { createHash } from "node:crypto";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { searchText } from "../shared/search-text.js";

/** The named vector every point carries (named, so a point may also have none). */
export const VECTOR_NAME = "memory";

/** Payload keys the store writes beside the memory's own `id`, `memory` and `metadata`. */
export const PAYLOAD = {
  cube: "memos_cube",
  /** Memory, key and tags, behind a full-text index (keyword search). */
  text: "memos_text",
  /**
   * The vector as given: a Cosine collection keeps vectors normalised, and getEmbedding must give
   * back exactly what was stored.
   */
  vector: "memos_vector",
} as const;

/** The point id of a memory: a UUID from a SHA-256 of cube and id (stable, collision-free in practice). */
export function pointId(cube: string, id: string): string {
  const h = createHash("sha256").update(cube).update("\u0000").update(id).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A memory's payload (its metadata without the embedding, which is the point's vector). */
export function itemPayload(
  item: TextualMemoryItem,
  cube: string,
  vector?: Float32Array,
): Record<string, unknown> {
  const { embedding: _embedding, ...metadata } = item.metadata;
  return {
    id: item.id,
    memory: item.memory,
    metadata,
    [PAYLOAD.cube]: cube,
    [PAYLOAD.text]: searchText(item),
    ...(vector ? { [PAYLOAD.vector]: Array.from(vector) } : {}),
  };
}

/** A memory from its payload. */
export function itemFromPayload(payload: Record<string, unknown>): TextualMemoryItem {
  return {
    id: payload.id as string,
    memory: payload.memory as string,
    metadata: (payload.metadata ?? {}) as TextualMemoryItem["metadata"],
  };
}
