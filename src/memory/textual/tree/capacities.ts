import { InvalidInputError } from "../../../core/errors/invalid-input-error.js";

/** How many activated memories of each type a tree memory keeps (MemOS's defaults). */
export interface MemoryCapacities {
  /** Copies of the most recent memories kept as WorkingMemory. Default 20. */
  working: number;
  /** Activated LongTermMemory items before the least valuable are archived. Default 1500. */
  longTerm: number;
  /** Activated UserMemory items before the least valuable are archived. Default 480. */
  user: number;
}

export const DEFAULT_CAPACITIES: Readonly<MemoryCapacities> = Object.freeze({
  working: 20,
  longTerm: 1500,
  user: 480,
});

/**
 * Fill defaults and check the numbers: each a positive integer, or Infinity for "no limit"
 * (benchmarks at 100k memories use that).
 *
 * @example
 * resolveCapacities({ longTerm: 100 }); // { working: 20, longTerm: 100, user: 480 }
 */
export function resolveCapacities(input: Partial<MemoryCapacities> = {}): MemoryCapacities {
  const out = { ...DEFAULT_CAPACITIES, ...dropUndefined(input) };
  for (const [name, value] of Object.entries(out)) {
    const ok = value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1);
    if (!ok) {
      throw new InvalidInputError({
        message: `capacities.${name} must be a positive integer (or Infinity), got ${String(value)}`,
        hint: `defaults: working ${DEFAULT_CAPACITIES.working}, longTerm ${DEFAULT_CAPACITIES.longTerm}, user ${DEFAULT_CAPACITIES.user}`,
      });
    }
  }
  return out;
}

function dropUndefined(input: Partial<MemoryCapacities>): Partial<MemoryCapacities> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}
