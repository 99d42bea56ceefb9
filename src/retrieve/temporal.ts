import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";

const DAY = 86_400_000;

/** A reference time as epoch ms; InvalidInputError for anything Date cannot read. */
export function parseReferenceTime(value: string | Date | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t =
    value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t)) {
    throw new InvalidInputError({
      message: `referenceTime is not a date: ${String(value)}`,
      hint: "use ISO 8601, e.g. 2025-05-08T13:56:00Z",
    });
  }
  return t;
}

/**
 * Time-aware weight of an item at reference time `ref` (epoch ms): 0 when the fact did not hold
 * then (valid_at, else created_at, after ref; or invalid_at at or before ref), else a factor in
 * (1, 1.2] that decays with a 30-day scale, so facts that began near ref rank a little higher.
 * Items without any date get 1. Same semantics as memory/textual's temporalFactor (retrieve sits
 * below memory/, so it cannot import it).
 *
 * @example
 * temporalFactor(item, Date.parse("2025-05-08T00:00:00Z")); // 0 if item.metadata.invalid_at is 2025-05-01
 */
export function temporalFactor(item: TextualMemoryItem, ref: number): number {
  const validAt = Date.parse(item.metadata.valid_at ?? item.metadata.created_at ?? "");
  const invalidAt = Date.parse(item.metadata.invalid_at ?? "");
  if (!Number.isNaN(validAt) && validAt > ref) return 0;
  if (!Number.isNaN(invalidAt) && invalidAt <= ref) return 0;
  if (Number.isNaN(validAt)) return 1;
  return 1 + 0.2 * Math.exp(-Math.abs(ref - validAt) / (30 * DAY));
}
