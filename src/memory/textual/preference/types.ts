import type { Embedder } from "../../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../../core/interfaces/language-model.js";
import type { MemoryStore } from "../../../core/interfaces/store.js";
import type { SourceMessage, TextualMemoryItem } from "../../../core/schema/memory.js";
import type { AddContext, GetAllOptions, TextSearchOptions } from "../types.js";

/** MemOS's two preference collections; also the `preference_type` of every preference item. */
export const PREFERENCE_TYPES = ["explicit_preference", "implicit_preference"] as const;
/** Explicit (stated) or implicit (inferred) preference. */
export type PreferenceType = (typeof PREFERENCE_TYPES)[number];

/** The `memory_type` of every item this memory writes; it scopes all reads, so a store can be shared. */
export const PREFERENCE_MEMORY_TYPE = "PreferenceMemory";

/** MemOS's `memory_filename` default for preference memory (its preference_config.json). */
export const PREFERENCE_MEMORY_FILE = "preference_textual_memories.json";

/** Confidence (0–100, MemOS's general-memory scale) of a stated vs an inferred preference. */
export const EXPLICIT_CONFIDENCE = 90;
export const IMPLICIT_CONFIDENCE = 60;

/** Options of {@link PreferenceTextMemory}: store, embedder and the LLM that extracts preferences. */
export interface PreferenceTextMemoryOptions {
  store: MemoryStore;
  embedder: Embedder;
  /** Extraction and conflict judging; without one, `addMessages` / `extract` raise ConfigError. */
  llm?: LanguageModel;
  /** Cosine at or above which a new preference updates the nearest existing one. Default 0.85. */
  updateThreshold?: number;
  /**
   * Cosine at or above which an existing preference is shown to the LLM as possibly the same or
   * conflicting (preferences with the same topic are shown whatever their cosine). Default 0.6.
   */
  relatedThreshold?: number;
  /** Largest conversation slice sent to the model in one extraction call, in characters. Default 12000. */
  windowChars?: number;
  /** Cap on the model's answer, in tokens. Default 1024. */
  maxTokens?: number;
}

/** One preference the LLM found in a conversation, before it is stored. */
export interface PreferenceCandidate {
  preference_type: PreferenceType;
  /** Short third-person statement, e.g. "The user prefers window seats". */
  preference: string;
  /** Lowercased domain, e.g. "travel". */
  topic: string;
  /** Why an implicit preference was inferred; absent for explicit ones. */
  reasoning?: string;
  /** Index of the evidence turn in the messages given to `extract`. */
  evidence_index: number;
  /** The evidence turn as provenance. */
  sources: SourceMessage[];
  /** The evidence turn rendered as text (MemOS's `original_text`). */
  original_text: string;
  /** When the preference was expressed: the evidence turn's chat_time, else the time of the call. */
  valid_at: string;
}

/** What `addMessages` wrote: new preferences, updated ones, and older ones a newer preference overrode. */
export interface PreferenceAddResult {
  added: TextualMemoryItem[];
  updated: TextualMemoryItem[];
  /** Older preferences that lost a conflict: still stored, now with `invalid_at`. */
  invalidated: TextualMemoryItem[];
}

export interface PreferenceScope {
  /** Only this user's preferences; `null`: only preferences stored without a user. */
  userId?: string | null;
  preferenceType?: PreferenceType;
}

/** Search options of the preference memory: top-k, filters and the user/cube scope. */
export interface PreferenceSearchOptions extends TextSearchOptions, PreferenceScope {}

export interface PreferenceGetAllOptions extends GetAllOptions, PreferenceScope {}

/** Context of an add; `userId` decides whose preferences a new one is compared with. */
export type PreferenceAddContext = Pick<AddContext, "userId" | "sessionId" | "cubeId">;
