import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { MemCube } from "../cube/mem-cube.js";

/**
 * What MOS needs from a cube's preference memory: a search by query. The preference memory
 * (src/memory/textual/preference, `PreferenceTextMemory`) plugs in by being exposed as
 * `cube.preference`; until then cubes have none and `pref_mem` stays empty.
 */
export interface PreferenceSearchable {
  search(
    query: string,
    options?: { topK?: number },
  ): Promise<Array<TextualMemoryItem | { item: TextualMemoryItem; score?: number }>>;
}

/**
 * The seam: a cube's preference memory when it has one. Duck-typed on purpose, so MOS needs no
 * change when `MemCube` gains its `preference` field.
 */
export function preferenceMemoryOf(cube: MemCube): PreferenceSearchable | undefined {
  const pref = (cube as unknown as { preference?: unknown }).preference;
  if (pref && typeof (pref as PreferenceSearchable).search === "function")
    return pref as PreferenceSearchable;
  return undefined;
}

/** Preference memories of a cube matching a query (none when the cube has no preference memory). */
export async function searchPreferences(
  cube: MemCube,
  query: string,
  topK: number,
): Promise<TextualMemoryItem[]> {
  const pref = preferenceMemoryOf(cube);
  if (!pref) return [];
  const hits = await pref.search(query, { topK });
  return hits.map((h) =>
    "item" in h && typeof h.item === "object" ? withScore(h.item, h.score) : (h as TextualMemoryItem),
  );
}

function withScore(item: TextualMemoryItem, score: number | undefined): TextualMemoryItem {
  return score === undefined ? item : { ...item, metadata: { ...item.metadata, relativity: score } };
}
