import type { Embedder } from "../core/interfaces/embedder.js";
import type { GenerateOptions, LanguageModel } from "../core/interfaces/language-model.js";
import type { MemoryStore } from "../core/interfaces/store.js";

/** Options of {@link MemoryReorganizer}. */
export interface ReorganizerOptions {
  store: MemoryStore;
  /** Embeds merged nodes and PARENT summaries (and new items stored without a vector). */
  embedder: Embedder;
  /** Without one, only exact and near-exact duplicates are merged, and no summaries are written. */
  llm?: LanguageModel;
  /** Cosine at or above which two same-type memories are compared. Default 0.8. */
  threshold?: number;
  /** Cosine at or above which, without an LLM, two memories are merged as duplicates. Default 0.97. */
  nearDuplicateThreshold?: number;
  /** Neighbours compared per new memory. Default 5. */
  maxNeighbours?: number;
  /** Passed to every LLM call (e.g. maxTokens). Default `{ temperature: 0 }`. */
  generateOptions?: GenerateOptions;
}

/** What one pair comparison decided. */
export type DecisionKind = "duplicate" | "merge" | "conflict" | "independent" | "failure" | "skipped";

export interface Decision {
  kind: DecisionKind;
  /** The memory being integrated. */
  id: string;
  /** The neighbour it was compared with. */
  otherId: string;
  cosine: number;
  /** duplicate: the survivor; merge: the new merged node; conflict: the newer (winning) memory. */
  resultId?: string;
  /** The LLM's reason, or the error message of a failure / the cause of a skip. */
  reason?: string;
}

/** Outcome of {@link MemoryReorganizer.integrate}. */
export interface ReorganizeReport {
  /** Memories integrated (new items still activated, plus merged nodes they produced). */
  processed: number;
  /** Pairs compared (cosine >= threshold). */
  compared: number;
  /** Merged without an LLM (same content hash, or cosine >= nearDuplicateThreshold without an LLM). */
  duplicates: number;
  /** Merged by the LLM into a new node. */
  merged: number;
  conflicts: number;
  independent: number;
  /** LLM or embedder failures; each such pair was left unchanged (as if independent). */
  failures: number;
  /** Decisions not written because a memory changed meanwhile, or new items no longer present. */
  skipped: number;
  /** FOLLOWS edges added. */
  follows: number;
  /** Nodes written by merges (LLM-merged nodes). */
  createdIds: string[];
  /** Nodes archived by merges. */
  archivedIds: string[];
  /** Nodes that got `invalid_at` from a conflict. */
  invalidatedIds: string[];
  decisions: Decision[];
}

/** Options of {@link MemoryReorganizer.optimizeStructure}. */
export interface StructureOptions {
  /** Default "LongTermMemory". */
  memoryType?: string;
  /** Smallest cluster that gets a PARENT summary. Default 3. */
  minClusterSize?: number;
  /** Largest cluster. Default 20. */
  maxClusterSize?: number;
  /** Cosine to the cluster's seed needed to join it. Default 0.75. */
  clusterThreshold?: number;
}

/** Outcome of {@link MemoryReorganizer.optimizeStructure}. */
export interface StructureReport {
  /** Activated nodes of the type that were free to cluster (not under a PARENT yet). */
  candidates: number;
  /** Clusters of at least minClusterSize, as lists of member ids. */
  clusters: string[][];
  /** PARENT nodes written (one per cluster, with an LLM). */
  parentIds: string[];
  parentEdges: number;
  /** CAUSE / CONDITION / RELATE_TO edges added among cluster members. */
  relationEdges: number;
  follows: number;
  failures: number;
}
