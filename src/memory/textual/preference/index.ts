export { type ExtractOptions, extractPreferences } from "./extract.js";
export { formatPreferencesForPrompt } from "./format.js";
export {
  type PreferenceDump,
  type PreferencePoint,
  readPreferenceDump,
  toPreferenceDump,
} from "./persist.js";
export { PreferenceTextMemory } from "./preference-memory.js";
export {
  EXPLICIT_CONFIDENCE,
  IMPLICIT_CONFIDENCE,
  PREFERENCE_MEMORY_FILE,
  PREFERENCE_MEMORY_TYPE,
  PREFERENCE_TYPES,
  type PreferenceAddContext,
  type PreferenceAddResult,
  type PreferenceCandidate,
  type PreferenceGetAllOptions,
  type PreferenceScope,
  type PreferenceSearchOptions,
  type PreferenceTextMemoryOptions,
  type PreferenceType,
} from "./types.js";
