import type { MemosError } from "../core/errors/index.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { FastReaderOptions } from "./types.js";

/** Options of the LLM-backed reader: its model, window sizes, sampling and concurrency. */
export interface FineReaderOptions {
  /** The model that extracts memories (through `generateObject`, JSON-schema / grammar constrained). */
  llm: LanguageModel;
  /** Largest chat window or document chunk sent to the model, in cl100k tokens. Default 1024. */
  windowTokens?: number;
  /** Trailing turns / sentences repeated at the next window's start. Default 128. */
  overlapTokens?: number;
  /** Cap on the model's answer, in tokens. Default 1024. */
  maxTokens?: number;
  /** Sampling temperature. Default 0. */
  temperature?: number;
  /** Windows extracted at once. Default 2 (local backends run one at a time anyway). */
  concurrency?: number;
  /** Sizes of the fast items a failed window falls back to. Default: the fast reader's defaults. */
  fast?: FastReaderOptions;
  /** Called for every fallback (failed or empty extraction, item not upgradable); also logged at warn. */
  onFallback?: (fallback: FineFallback) => void;
}

/**
 * A window, chunk or fast item that did not get fine memories, and why. Nothing is lost: a chat
 * window or chunk is kept as fast items (`keptIds`, tagged "mode:fast" so a later upgrade can
 * retry); a fast item that could not be upgraded stays as it is.
 */
export interface FineFallback {
  kind: "chat" | "document" | "upgrade";
  /** llm_error: the model failed (LLMOutputError, ProviderError); empty: it found no memories. */
  reason: "llm_error" | "empty" | "no_sources" | "already_fine";
  /** The error, for llm_error. */
  error?: MemosError;
  /** Chat: the window's message ids. */
  messageIds?: string[];
  /** Document: the path (when known) and page. */
  docPath?: string;
  page?: number;
  /** Ids of the items kept instead (the fast items; for an upgrade, the fast item itself). */
  keptIds: string[];
}

/** What one read did: the items, and which windows fell back. */
export interface FineReadReport {
  items: TextualMemoryItem[];
  /** Windows (chat) or chunks (documents) sent to the model. */
  windows: number;
  /** Of those, how many produced fine memories. */
  fine: number;
  fallbacks: FineFallback[];
}

/** Counts over the reader's lifetime. */
export interface FineReaderStats {
  windows: number;
  fine: number;
  fallbacks: number;
  /** Fallbacks caused by a model error (a subset of fallbacks). */
  errors: number;
}

/** A fast item and the fine items that replace it. */
export interface FineUpgrade {
  from: string;
  to: TextualMemoryItem[];
}

/** What one extraction gives: the fine items, or the fast fallback and why. */
export type Extracted =
  | { ok: true; items: TextualMemoryItem[] }
  | { ok: false; fallback: Omit<FineFallback, "keptIds"> };
