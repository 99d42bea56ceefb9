import type { MemoryStore } from "../../../core/interfaces/store.js";
import type { FilterNode, MemoryFilter } from "../../../core/schema/filter.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import { DAY_MS } from "../../../core/time.js";
import { applyUpdate } from "../item-ops.js";
import { withoutEmbedding } from "../store-backed.js";
import type { MemoryCapacities } from "./capacities.js";
import { byValueAscending, memoryValue, valueFloor } from "./value.js";

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
 * Finding them reads the oldest memories first (see {@link leastValuable}), so an add over
 * capacity costs about the number of memories it evicts, not the capacity.
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
    // Cheap check first (an indexed count); the reading only when over capacity.
    if ((await store.count(filter)) <= limit) continue;
    const done = await store.transaction(async (tx) => {
      const excess = (await tx.count(filter)) - limit;
      if (excess <= 0) return [];
      const victims = await leastValuable(tx, filter, excess, now);
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

/** Memories read per page at least when looking for the least valuable. */
const MIN_PAGE = 64;
/** An ISO-8601 UTC time as `toISOString` writes it: text order is time order. */
const ISO_STRING = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Another UTC precision: text order is time order to the second ("…:05Z" sorts after "…:05.5Z"). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
/** Other ISO-8601 forms (a zone offset, none, a date alone): text order is right to a day. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const SECOND_MS = 1000;

/**
 * The `count` least valuable memories passing `filter`, as sorting them all by
 * {@link byValueAscending} would choose them (a threshold algorithm). Memories are read oldest
 * `updated_at` first, a page at a time. A memory's value is at least {@link valueFloor} of its
 * `updated_at`, so once that floor, at the last memory read, is above the `count`-th lowest value
 * read so far, no memory further on can be among the least valuable.
 *
 * That needs the text order of `updated_at` (what stores sort by) to be its time order. It is for
 * UTC times as this library writes them (`toISOString`). A memory read with another UTC precision
 * moves the floor a second back; one with a zone offset or no zone (MemOS writes local times) a
 * day back; one with no time or a time in another form sends the search back to reading them all,
 * as does a last time that is not ISO-8601 (words sort after digits). Left: a cube that mixes
 * forms can see a choice differ from the full sort among memories updated within a zone offset
 * (hours) of each other, and a non-ISO time that sorts among ISO ones ("2023-5-8") is not noticed.
 * Eviction archives, so such a choice is never a loss.
 */
export async function leastValuable(
  store: Pick<MemoryStore, "listItems">,
  filter: MemoryFilter | FilterNode,
  count: number,
  now: number,
): Promise<TextualMemoryItem[]> {
  const order = byValueAscending(now);
  const all = async () => (await store.listItems({ filter })).sort(order).slice(0, count);
  // A time written in words ("May 8, 2023") sorts after every ISO one and would never be read.
  const [latest] = await store.listItems({ filter, orderBy: "updated_at", order: "desc", limit: 1 });
  if (latest && timeSlack(latest) === undefined) return all();
  const seen: TextualMemoryItem[] = [];
  let slack = 0;
  // Pages double, so a walk that has to go far (old memories kept by their usage) reads each
  // memory about once, offsets included, as the full listing would.
  for (let offset = 0, page = Math.max(MIN_PAGE, 2 * count); ; offset += page, page *= 2) {
    const items = await store.listItems({ filter, orderBy: "updated_at", order: "asc", limit: page, offset });
    for (const item of items) {
      const s = timeSlack(item);
      if (s === undefined) return all();
      slack = Math.max(slack, s);
    }
    seen.push(...items);
    seen.sort(order);
    if (items.length < page) break;
    const last = Date.parse((items.at(-1) as TextualMemoryItem).metadata.updated_at as string);
    const kth = memoryValue(seen[count - 1] as TextualMemoryItem, now);
    if (kth < valueFloor(last - slack, now)) break;
  }
  return seen.slice(0, count);
}

/** How far text order may be from time order for this memory's `updated_at`; undefined: unknown. */
function timeSlack(item: TextualMemoryItem): number | undefined {
  const updated = item.metadata.updated_at ?? "";
  if (ISO_STRING.test(updated)) return 0;
  if (UTC_TIME.test(updated)) return SECOND_MS;
  return ISO_DATE.test(updated) && !Number.isNaN(Date.parse(updated)) ? DAY_MS : undefined;
}

function archived(item: TextualMemoryItem): TextualMemoryItem {
  return withoutEmbedding(applyUpdate(item, { metadata: { status: "archived" } }, "evicted"));
}
