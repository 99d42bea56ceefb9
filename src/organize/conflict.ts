import type { MemoryStore } from "../core/interfaces/store.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { nowIso } from "../core/time.js";
import { freshPair } from "./fresh.js";
import { factTime, revise } from "./node-ops.js";

/**
 * Resolve a contradiction as Graphiti does (bi-temporal, nothing deleted): the newer fact (by
 * valid_at, else created_at; a tie goes to `incoming`) wins. The older one STAYS activated but
 * gets `invalid_at` = the newer's valid_at (else its created_at, else now), a history entry
 * `conflict` (with `conflicts_with`), a version bump, and a CONFLICT edge newer → older.
 * Searches with a reference time at or after invalid_at exclude it; history stays queryable.
 * One transaction; null, writing nothing, if either node changed since it was read.
 *
 * @example
 * await resolveConflict(store, newItem, neighbour); // { winnerId, loserId, invalidAt }
 */
export async function resolveConflict(
  store: MemoryStore,
  incoming: TextualMemoryItem,
  existing: TextualMemoryItem,
): Promise<{ winnerId: string; loserId: string; invalidAt: string } | null> {
  return store.transaction(async (tx) => {
    const pair = await freshPair(tx, incoming, existing);
    if (!pair) return null;
    const [inc, ex] = pair;
    const ti = factTime(inc);
    const te = factTime(ex);
    // Unknown times: the memory we are integrating is the newer one.
    const incomingWins = Number.isNaN(te) || Number.isNaN(ti) || ti >= te;
    const [winner, loser] = incomingWins ? [inc, ex] : [ex, inc];
    const now = nowIso();
    const invalidAt = winner.metadata.valid_at ?? winner.metadata.created_at ?? now;
    const updated = revise(
      loser,
      { metadata: { invalid_at: invalidAt } },
      { update_type: "conflict", extra: { conflicts_with: winner.id } },
      now,
    );
    await tx.updateItem(updated.id, updated);
    await tx.addEdges([{ source: winner.id, target: loser.id, type: "CONFLICT" }]);
    return { winnerId: winner.id, loserId: loser.id, invalidAt };
  });
}
