export { GeneralTextMemory, type GeneralTextMemoryOptions } from "./general.js";
export { type IngestResult, MESSAGE_KEYS_FIELD, messageKey } from "./ingest-keys.js";
export { NaiveTextMemory } from "./naive.js";
export { NaiveStoreTextMemory } from "./naive-store.js";
export { readTextualMemory, TEXTUAL_MEMORY_FILE, writeTextualMemory } from "./persist.js";
export * from "./preference/index.js";
export { StoreBackedTextMemory } from "./store-backed.js";
export * from "./tree/index.js";
export type {
  AddContext,
  GetAllOptions,
  MemoryHistory,
  MemoryInput,
  TextMemory,
  TextSearchOptions,
  UpdatePatch,
} from "./types.js";
