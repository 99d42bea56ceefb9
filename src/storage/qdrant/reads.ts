/** Reading points: by id, and every point of a filter (scroll pages), as memories. */
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { toQdrantError } from "./client.js";
import type { CollectionRef } from "./collection.js";
import type { QdrantFilter } from "./filter.js";
import { itemFromPayload, PAYLOAD, pointId, VECTOR_NAME } from "./points.js";

/** Points per scroll page. */
const PAGE = 512;

/** A point as the store reads it back. */
export interface ReadPoint {
  item: TextualMemoryItem;
  payload: Record<string, unknown>;
  /** The point's (normalised) vector, when asked for and present. */
  vector?: number[];
}

/** A point of a Qdrant answer as the store reads it. */
export function readPoint(p: { payload?: Record<string, unknown> | null; vector?: unknown }): ReadPoint {
  const payload = (p.payload ?? {}) as Record<string, unknown>;
  const named = p.vector as Record<string, unknown> | null | undefined;
  const vector = named && Array.isArray(named[VECTOR_NAME]) ? (named[VECTOR_NAME] as number[]) : undefined;
  return { item: itemFromPayload(payload), payload, ...(vector ? { vector } : {}) };
}

/** The memory payload without the stored copy of the vector (search and list never need it). */
export const WITHOUT_VECTOR_COPY = { exclude: [PAYLOAD.vector] };

/** Points by memory id (missing ones left out), with the vector copy when `withVector`. */
export async function retrieve(
  ref: CollectionRef,
  cube: string,
  ids: string[],
  withVectorCopy = false,
): Promise<ReadPoint[]> {
  if (ids.length === 0) return [];
  try {
    const points = await ref.client.retrieve(ref.name, {
      ids: ids.map((id) => pointId(cube, id)),
      with_payload: withVectorCopy ? true : WITHOUT_VECTOR_COPY,
      with_vector: false,
    });
    return points.map(readPoint).filter((p) => p.payload[PAYLOAD.cube] === cube);
  } catch (error) {
    throw toQdrantError(error, ref.url, "reading points");
  }
}

/** Which of the memory ids hold a stored vector of `dimensions` (write verification). */
export async function storedVectors(
  ref: CollectionRef,
  cube: string,
  ids: string[],
  dimensions: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  try {
    const points = await ref.client.retrieve(ref.name, {
      ids: ids.map((id) => pointId(cube, id)),
      with_payload: false,
      with_vector: [VECTOR_NAME],
    });
    return points.filter((p) => readPoint(p).vector?.length === dimensions).length;
  } catch (error) {
    throw toQdrantError(error, ref.url, "verifying written vectors");
  }
}

/** Every point passing `filter`, page by page, with vectors (normalised) or the payload's exact copy when asked. */
export async function scrollAll(
  ref: CollectionRef,
  filter: QdrantFilter,
  withVector = false,
  withVectorCopy = false,
): Promise<ReadPoint[]> {
  const out: ReadPoint[] = [];
  let offset: string | number | undefined | null;
  try {
    do {
      const page = await ref.client.scroll(ref.name, {
        filter,
        limit: PAGE,
        with_payload: withVectorCopy ? true : WITHOUT_VECTOR_COPY,
        with_vector: withVector ? [VECTOR_NAME] : false,
        ...(offset !== undefined && offset !== null ? { offset } : {}),
      });
      out.push(...page.points.map(readPoint));
      offset = page.next_page_offset as string | number | null | undefined;
    } while (offset !== undefined && offset !== null);
  } catch (error) {
    throw toQdrantError(error, ref.url, "scrolling points");
  }
  return out;
}

/** How many points pass `filter` (exact count). */
export async function countPoints(ref: CollectionRef, filter: QdrantFilter): Promise<number> {
  try {
    return (await ref.client.count(ref.name, { filter, exact: true })).count;
  } catch (error) {
    throw toQdrantError(error, ref.url, "counting points");
  }
}
