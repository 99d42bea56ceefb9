import { z } from "zod";
import type { LanguageModel } from "../../core/interfaces/language-model.js";

/** Folder of a cube that holds the KV state files and their index. */
export const ACTIVATION_DIR = "activation";
export const ACTIVATION_INDEX = "index.json";
/** Extension of a saved llama.cpp sequence state. */
export const STATE_EXTENSION = ".kvstate";

/**
 * One saved KV cache: the evaluated prefix of a chat (the cube's memory block), as an entry of
 * `activation/index.json`. The state itself is `activation/<id>.kvstate`.
 */
export const KVCacheItem = z.object({
  id: z.string().min(1),
  /** The textual memories the prefix was built from, in prompt order. */
  source_memory_ids: z.array(z.string()),
  /** sha256 of the prefix text: a different text (a source memory changed) means the state is stale. */
  source_hash: z.string().min(1),
  /** The prefix text itself (MemOS keeps it as `metadata.source_text`). */
  source_text: z.string(),
  /** Tokens held by the state. */
  token_count: z.number().int().nonnegative(),
  /** Size of the state file. */
  bytes: z.number().int().nonnegative(),
  /** Model (and adapters) the state was computed with; a state is never loaded into another. */
  model_fingerprint: z.string().min(1),
  /** `getCache` of several caches keeps the combined one under the sorted set of their ids. */
  set_key: z.string().optional(),
  created_at: z.string(),
});
export type KVCacheItem = z.infer<typeof KVCacheItem>;

export const KVCacheIndex = z.object({ version: z.literal(1), items: z.array(KVCacheItem) });
export type KVCacheIndex = z.infer<typeof KVCacheIndex>;

/** A saved state as a model needs it to resume from: its file and what it was computed with. */
export interface PrefixState {
  file: string;
  model_fingerprint: string;
  token_count: number;
}

/**
 * What computes and restores KV states: a local model that can evaluate a chat's system-prompt
 * prefix, save the sequence state, and answer from a saved state. The llama.cpp backend has one
 * (`LlamaCppLanguageModel.activation()`).
 */
export interface ActivationEngine {
  /** Identifies the model file, its LoRA adapters and the runtime; states are tied to it. */
  fingerprint(): Promise<string>;
  /**
   * Evaluate `systemPrefix` as the opening of a chat's system message (chat template included)
   * and save the sequence state to `file`.
   */
  saveSystemPrefixState(systemPrefix: string, file: string): Promise<{ tokenCount: number; bytes: number }>;
  /** A model whose calls start from `state` and evaluate only the tokens after it. */
  withPrefixState(state: PrefixState): LanguageModel;
}

/** A model that can hand out an {@link ActivationEngine} (the llama.cpp backend). */
export interface ActivationCapable {
  activation(): ActivationEngine;
}

/** True when `llm` can compute and reuse KV states. */
export function isActivationCapable(llm: unknown): llm is ActivationCapable {
  return typeof (llm as { activation?: unknown } | null)?.activation === "function";
}
