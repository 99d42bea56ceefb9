import type { TextualMemoryItem, UsageEntry } from "../../../core/schema/memory.js";
import { DAY_MS } from "../../../core/time.js";

/** Recency half-life: a memory untouched for this long has lost half its recency. */
export const RECENCY_HALF_LIFE_DAYS = 30;
/** Usage counts beyond this add nothing more (the usage list is capped at the same length). */
export const USAGE_SATURATION = 50;
const RECENCY_WEIGHT = 0.6;
const USAGE_WEIGHT = 0.4;

/**
 * How much a memory is worth keeping activated, in [0, 1]; eviction archives the lowest first.
 *
 *   last   = latest of created_at, updated_at and every usage time
 *   recency = 0.5 ^ ((now − last) / 30 days)
 *   usage   = ln(1 + uses) / ln(1 + 50)          (uses capped at 50)
 *   value   = 0.6 · recency + 0.4 · usage
 *
 * So a memory retrieved often stays even when old, and a fresh memory stays even before anyone
 * asked for it; an old memory nobody retrieves goes first. Unknown times count as "now" (a memory
 * we cannot date is not punished for it).
 *
 * @example
 * memoryValue(item, Date.now()); // 0.6 for a memory created just now and never used
 */
export function memoryValue(item: TextualMemoryItem, now: number): number {
  const usage = item.metadata.usage;
  let last = Math.max(timeOf(item.metadata.created_at), timeOf(item.metadata.updated_at));
  for (const u of usage) last = Math.max(last, usageTime(u));
  const uses = Math.min(usage.length, USAGE_SATURATION);
  const used = Math.log1p(uses) / Math.log1p(USAGE_SATURATION);
  // The recency term is the floor of a memory last active at `last`: one formula for both.
  return valueFloor(Number.isFinite(last) ? last : now, now) + USAGE_WEIGHT * used;
}

/**
 * The least {@link memoryValue} a memory last updated at `updatedAt` (ms) can have (its recency
 * term): its last activity is at least that late, and usage only adds. Eviction stops reading memories in
 * `updated_at` order once this bound passes the values it has already seen.
 *
 * @example
 * valueFloor(Date.now(), Date.now()); // 0.6: fresh, never used
 */
export function valueFloor(updatedAt: number, now: number): number {
  const ageDays = Math.max(0, now - updatedAt) / DAY_MS;
  return RECENCY_WEIGHT * 0.5 ** (ageDays / RECENCY_HALF_LIFE_DAYS);
}

/**
 * Least valuable first; ties go to the older memory (created_at), then by id, so the choice
 * never depends on the order the store listed them in.
 */
export function byValueAscending(now: number) {
  const cache = new Map<string, number>();
  const value = (item: TextualMemoryItem) => {
    let v = cache.get(item.id);
    if (v === undefined) {
      v = memoryValue(item, now);
      cache.set(item.id, v);
    }
    return v;
  };
  return (a: TextualMemoryItem, b: TextualMemoryItem): number =>
    value(a) - value(b) ||
    timeOf(a.metadata.created_at) - timeOf(b.metadata.created_at) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function timeOf(iso: string | null | undefined): number {
  const t = Date.parse(iso ?? "");
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/** The time of a usage entry: ours are `{time, query}`; MemOS writes JSON strings or bare times. */
export function usageTime(entry: UsageEntry): number {
  if (typeof entry !== "string") return timeOf(entry.time);
  try {
    const parsed: unknown = JSON.parse(entry);
    if (parsed && typeof parsed === "object" && "time" in parsed) return timeOf(String(parsed.time));
  } catch {
    // a bare timestamp, not JSON
  }
  return timeOf(entry);
}
