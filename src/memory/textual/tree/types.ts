import type { Embedder } from "../../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../../core/interfaces/language-model.js";
import type { Reranker } from "../../../core/interfaces/reranker.js";
import type { MemoryStore } from "../../../core/interfaces/store.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import type { ReorganizeReport, ReorganizerOptions } from "../../../organize/types.js";
import type { FastMemReader } from "../../../reader/fast-reader.js";
import type { FineReaderOptions } from "../../../reader/fine-reader.js";
import type { SearcherOptions, TreeSearchOptions } from "../../../retrieve/types.js";
import type { MemoryCapacities } from "./capacities.js";
import type { EvictedMemory } from "./eviction.js";
import type { WorkingMemoryChange } from "./working-memory.js";

/** Options of {@link TreeTextMemory}: store, embedder, optional LLM and reranker, capacities. */
export interface TreeTextMemoryOptions {
  store: MemoryStore;
  embedder: Embedder;
  /** Enables fine mode (reading, search), LLM merge/conflict judgements and topic summaries. */
  llm?: LanguageModel;
  reranker?: Reranker;
  /** The fast reader (window sizes); the library default when absent. */
  reader?: FastMemReader;
  /** Options of the fine reader built on `llm` (window size, maxTokens, concurrency, onFallback). */
  fine?: Omit<FineReaderOptions, "llm">;
  /** Defaults 20 / 1500 / 480; Infinity for no limit. */
  capacities?: Partial<MemoryCapacities>;
  /** Integrate each add into the graph (duplicates, conflicts, FOLLOWS). Default true. */
  reorganize?: boolean;
  /** After a fast add, upgrade its fast nodes with the LLM at once (needs `llm`). Default false. */
  autoUpgrade?: boolean;
  /** Passed to the reorganizer (thresholds, generate options). */
  reorganizer?: Omit<ReorganizerOptions, "store" | "embedder" | "llm">;
  /** Passed to the searcher (candidates, rerank blend, ...); pathWeights default to TREE_PATH_WEIGHTS. */
  searcher?: Omit<SearcherOptions, "store" | "embedder" | "llm" | "reranker" | "workingMemory">;
  /** Defaults for every search (dedup, paths, threshold, ...); a call's own options win. */
  searchDefaults?: Omit<TreeSearchOptions, "signal">;
}

/** What happened after the items of an add were committed. */
export interface TreeAddReport {
  mode: "fast" | "fine";
  /** Items committed (the array the add returned). */
  added: number;
  /** Messages skipped because the memory held them already (idempotent ingest; chat adds only). */
  alreadyStored?: number;
  /** Fine mode: windows or chunks the model failed on (or found nothing in), stored as fast items instead. */
  fineFallbacks: number;
  /** The reorganizer's report; absent when reorganize is off or it failed. */
  reorganize?: ReorganizeReport;
  working?: WorkingMemoryChange;
  evicted: EvictedMemory[];
  /** Fast nodes upgraded at once (autoUpgrade). */
  upgrade?: UpgradeReport;
  /**
   * Steps after the commit that failed (reorganize, working memory, eviction, upgrade). The added
   * items are stored regardless; each failure is also logged.
   */
  warnings: string[];
}

/** The committed items of an add, with what happened after the commit in `report`. */
export type TreeAddResult = TextualMemoryItem[] & { readonly report: TreeAddReport };

/** Outcome of {@link TreeTextMemory.upgradeFastNodes}. */
export interface UpgradeReport {
  /** Fast nodes looked at. */
  candidates: number;
  /** Fast node id → ids of the fine memories that replace it. */
  upgraded: { from: string; to: string[] }[];
  /** Fast nodes left as they were: extraction fell back to fast, or the node changed meanwhile. */
  untouched: string[];
  warnings: string[];
}
