import type { MemoryStore } from "../../../core/interfaces/store.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import { applyUpdate } from "../item-ops.js";
import { withoutEmbedding } from "../store-backed.js";
import type { MemoryCapacities } from "./capacities.js";
import { byValueAscending, memoryValue } from "./value.js";

/** One memory archived for capacity. */
export interface EvictedMemory {
  id: string;
  memoryType: string;
  /** Its {@link memoryValue} when it was chosen. */
  value: number;
}

/**
 * Keep each capped memory type within its capacity: when there are more activated
 * LongTermMemory (or UserMemory) items than allowed, the least valuable ({@link memoryValue}:
 * recency and usage) are archived — status "archived", a history entry
 * `{update_type: "evicted"}`, version bumped — in one transaction per type. Nothing is
 * deleted: archived memories stay readable (`get`, `history`, search with includeInactive) and
 * can be re-activated with `update`.
 *
 * @example
 * const evicted = await evictOverCapacity(store, { working: 20, longTerm: 1500, user: 480 });
 */
export async function evictOverCapacity(
  store: MemoryStore,
  capacities: MemoryCapacities,
  now: number = Date.now(),
): Promise<EvictedMemory[]> {
  const limits: [string, number][] = [
    ["LongTermMemory", capacities.longTerm],
    ["UserMemory", capacities.user],
  ];
  const evicted: EvictedMemory[] = [];
  for (const [memoryType, limit] of limits) {
    if (!Number.isFinite(limit)) continue;
    const filter = { status: "activated", memory_type: memoryType };
    // Cheap check first (an indexed count); the listing only when over capacity.
    if ((await store.count(filter)) <= limit) continue;
    const done = await store.transaction(async (tx) => {
      const items = await tx.listItems({ filter });
      const excess = items.length - limit;
      if (excess <= 0) return [];
      const victims = [...items].sort(byValueAscending(now)).slice(0, excess);
      const out: EvictedMemory[] = [];
      for (const item of victims) {
        await tx.updateItem(item.id, archived(item));
        out.push({ id: item.id, memoryType, value: memoryValue(item, now) });
      }
      return out;
    });
    evicted.push(...done);
  }
  return evicted;
}

function archived(item: TextualMemoryItem): TextualMemoryItem {
  return withoutEmbedding(applyUpdate(item, { metadata: { status: "archived" } }, "evicted"));
}
