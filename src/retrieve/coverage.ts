import type { TextualMemoryItem } from "../core/schema/memory.js";

/**
 * The conversation turns a memory holds, as keys (message id + the words of the turn): a turn
 * memory holds one, a window several. Memories without chat provenance (documents, plain adds)
 * hold none and are never "covered".
 *
 * @example
 * turnKeys(windowItem); // ["D1:3\u0000I went to a support group…", "D1:4\u0000…"]
 */
export function turnKeys(item: TextualMemoryItem): string[] {
  const keys: string[] = [];
  for (const s of item.metadata.sources ?? []) {
    if (s.message_id && s.content !== undefined) keys.push(`${s.message_id}\u0000${s.content}`);
  }
  return keys;
}

/**
 * Walk results best first and drop each one whose turns all came with better results: a turn
 * memory after the window that holds it, a window after the turns it is made of. A prompt built
 * from the list then never pays twice for the same turn, and the budget goes to new turns.
 *
 * @example
 * dropCovered([windowHit, turnHitInsideThatWindow, otherHit], (h) => h.item); // [windowHit, otherHit]
 */
export function dropCovered<T>(results: readonly T[], itemOf: (r: T) => TextualMemoryItem): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const r of results) {
    const keys = turnKeys(itemOf(r));
    if (keys.length > 0 && keys.every((k) => seen.has(k))) continue;
    for (const k of keys) seen.add(k);
    out.push(r);
  }
  return out;
}
