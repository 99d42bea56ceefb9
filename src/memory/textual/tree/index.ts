/**
 * Tree textual memory: WorkingMemory / LongTermMemory / UserMemory with capacities, eviction by
 * value, usage tracking, fast → fine upgrades, and the reorganizer and searcher wired in.
 *
 * @module
 */
export { DEFAULT_CAPACITIES, type MemoryCapacities, resolveCapacities } from "./capacities.js";
export { type EvictedMemory, evictOverCapacity } from "./eviction.js";
export { TREE_PATH_WEIGHTS, TreeTextMemory } from "./tree-memory.js";
export type { TreeAddReport, TreeAddResult, TreeTextMemoryOptions, UpgradeReport } from "./types.js";
export { FAST_TAG, upgradeFastNodes } from "./upgrade.js";
export { recordUsage, USAGE_LIMIT } from "./usage.js";
export { memoryValue, RECENCY_HALF_LIFE_DAYS, USAGE_SATURATION, usageTime } from "./value.js";
export {
  listWorkingCopies,
  liveSuccessors,
  updateWorkingMemory,
  WORKING_MEMORY,
  WORKING_OF,
  WORKING_SEQ,
  type WorkingMemoryChange,
  workingMemoryItems,
  workingSourceOf,
} from "./working-memory.js";
