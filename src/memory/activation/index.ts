export { KVCacheMemory, type KVCacheMemoryOptions, prefixHash } from "./kv-cache-memory.js";
export { DEFAULT_BASE_PROMPT, memoryLine, memoryPrefix } from "./memory-block.js";
export {
  type ActivationMemoryView,
  type ActivationRebuild,
  currentBlockHash,
  DEFAULT_MAX_MEMORIES,
  describeActivation,
  pinnedMemories,
  rebuildActivationMemory,
} from "./rebuild.js";
export {
  ACTIVATION_DIR,
  type ActivationCapable,
  type ActivationEngine,
  isActivationCapable,
  KVCacheItem,
  type PrefixState,
} from "./types.js";
