import type { Embedder } from "../core/interfaces/embedder.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { Reranker } from "../core/interfaces/reranker.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import type { MemoryFilter } from "../core/schema/filter.js";
import type { EdgeType, MemoryEdge, TextualMemoryItem } from "../core/schema/memory.js";

/** Where a hit came from: working memory, vector KNN, BM25, or the graph (key/tag, 1-hop neighbours). */
export type RecallPath = "working" | "vector" | "keyword" | "graph";
export const RECALL_PATHS: readonly RecallPath[] = ["working", "vector", "keyword", "graph"];

/** `fast` (no LLM) or `fine` (an LLM parses the query first). */
export type SearchMode = "fast" | "fine";
/** How search removes near-duplicates: `no`, `sim` (cosine threshold) or `mmr` (maximal marginal relevance). */
export type DedupMode = "no" | "sim" | "mmr";

/** Edges the graph path and the default subgraph walk follow (not CONFLICT / MERGED_TO: those lead to stale facts). */
export const GRAPH_EDGE_TYPES: readonly EdgeType[] = ["RELATE_TO", "PARENT", "CAUSE", "CONDITION", "FOLLOWS"];

/** Search options of the tree memory: mode, top-k per type, dedup, rerank, filter, reference time. */
export interface TreeSearchOptions {
  /** "fast" (default): the query as is. "fine": an LLM parses it into a rephrased query, keys and tags first. */
  mode?: SearchMode;
  /** How many hits (default 10, 1–1000). */
  topK?: number;
  /** At most this many hits per memory_type, e.g. `{ UserMemory: 3 }`; types not named are limited by topK only. */
  perTypeTopK?: Partial<Record<string, number>>;
  /**
   * memory_type values the store paths search. Default: every type except "WorkingMemory",
   * since the working path already covers working memory (stored WorkingMemory nodes are copies).
   */
  memoryTypes?: string[];
  /** Filter DSL (core/schema/filter.ts), applied inside every store query and to working-memory items. */
  filter?: MemoryFilter;
  /** Keep only items valid at this time (valid_at ≤ ref < invalid_at) and favour those near it. */
  referenceTime?: string | Date;
  /**
   * Near-duplicate removal after rerank (default "mmr"). Same id and same text are always merged.
   * With "mmr" the hits come in MMR selection order (relevant first, then diverse), so their
   * scores need not be sorted; "sim" and "no" keep score order.
   */
  dedup?: DedupMode;
  /** MMR trade-off between relevance (1) and diversity (0). Default 0.7. */
  mmrLambda?: number;
  /** Cosine at or above which two hits are near-duplicates ("sim" and "mmr"). Default 0.95 (see DEFAULT_SIM_THRESHOLD). */
  simThreshold?: number;
  /** Relativity threshold: drop hits whose final score is below it (default 0: keep all). */
  threshold?: number;
  /** Rerank the top candidates with the reranker (default: true when the Searcher has one). */
  rerank?: boolean;
  /** Include archived / resolving / deleted items (default: only `activated`). */
  includeInactive?: boolean;
  /** Recall paths to run (default all). */
  paths?: RecallPath[];
  signal?: AbortSignal;
}

/** One search result: the memory, its fused score and the recall paths that found it. */
export interface SearchHit {
  item: TextualMemoryItem;
  /**
   * Final score, higher is better. Without rerank: the RRF score normalised so that rank 1 on
   * every path that ran gives 1, times the temporal factor (≤ 1.2). With rerank: a blend of that and
   * the min-max normalised reranker score (see SearcherOptions.rerankWeight).
   */
  score: number;
  /** The recall paths that found it, strongest first. */
  paths: RecallPath[];
}

export interface ParsedQuery {
  original: string;
  /** Fine mode: the LLM's self-contained restatement of the query. */
  rephrased?: string;
  keys?: string[];
  tags?: string[];
  /** Fine mode: a time the LLM read in the query (reported, not applied; pass referenceTime to filter). */
  time_hint?: string;
}

/** A tree memory search: the hits, the parsed query, per-stage timings and warnings. */
export interface TreeSearchResult {
  hits: SearchHit[];
  query: ParsedQuery;
  /**
   * Milliseconds per stage: parse (fine), embed, vector, keyword, working, graph, graph_lookup
   * (fine), recall (all paths, wall), fuse, load, rerank, dedup, total. working and graph are their
   * own work after their inputs arrived; vector and keyword include waiting for the store, which
   * (SQLite) runs one call at a time, so they overlap.
   */
  timings: Record<string, number>;
  /** Degradations the caller should know about (LLM parse fell back, reranker failed, ...). Empty when none. */
  warnings: string[];
}

export interface SearcherOptions {
  store: MemoryStore;
  embedder: Embedder;
  /** Needed for fine mode only. */
  llm?: LanguageModel;
  reranker?: Reranker;
  /** The current working memory; scored by cosine with the query. */
  workingMemory?: () => Promise<TextualMemoryItem[]>;
  /** RRF weight per path. Default working 1, vector 1, keyword 1, graph 0.5 (neighbours are weaker evidence). */
  pathWeights?: Partial<Record<RecallPath, number>>;
  /** Candidates per store path: max(topK × candidateFactor, minCandidates). Defaults 5 and 50. */
  candidateFactor?: number;
  minCandidates?: number;
  /** Vector hits whose 1-hop neighbours the graph path adds (default 5). */
  graphSeeds?: number;
  /** Edge types the graph path follows (default GRAPH_EDGE_TYPES). */
  graphEdgeTypes?: EdgeType[];
  /**
   * How the graph path matches keys/tags in fast mode: "candidates" (default) checks the items the
   * vector and keyword paths found, at no extra store cost; "store" asks the store with the filter
   * DSL, which SQLite answers with a full scan (key and tags are not indexed columns).
   * Fine mode always asks the store for the LLM's keys and tags.
   */
  fastKeyTagLookup?: "candidates" | "store";
  /** Share of the final score the reranker decides, 0–1 (default 0.7). */
  rerankWeight?: number;
  /** How many fused candidates are reranked: max(topK × 3, 20) by default. */
  rerankTopN?: number;
  /** Fine-mode parse: max tokens and timeout for the LLM call (defaults 256, 20 s). */
  parseMaxTokens?: number;
  parseTimeoutMs?: number;
  /**
   * Pseudo-relevance feedback: RRF weight (× the keyword weight) of a second BM25 ranking of the
   * recalled candidates, whose query adds the words the best hits share (see `expansionTerms`).
   * Default 0.5; 0 turns it off.
   */
  feedbackWeight?: number;
  /**
   * That second ranking also matches each query word (names excepted) by its nearest words among
   * the candidates, by the embedder's word vectors ("pet" finds "cat"): the least cosine similarity
   * a neighbour needs, 0–1. Default 0.5 with the built-in GloVe embedder (a word is a table
   * lookup), 0 (off) with any other, where unseen words would cost embedding calls.
   */
  neighbourThreshold?: number;
  /** RRF weight (× the keyword weight) of that neighbour ranking. Default 1. */
  neighbourWeight?: number;
}

/** How far and along which edges `getRelevantSubgraph` walks from the seeds. */
export interface SubgraphOptions {
  /** Hops from the seeds (default 2). */
  depth?: number;
  /** How many search hits seed the walk (default 5). */
  topK?: number;
  mode?: SearchMode;
  filter?: MemoryFilter;
  includeInactive?: boolean;
  /** Edge types to walk (default all). */
  edgeTypes?: EdgeType[];
}

/** The memories around a query's best hits, and the edges among them (for a graph view). */
export interface RelevantSubgraph {
  /** Nodes within `depth` hops of the seeds that pass the filter (and status, unless includeInactive). */
  nodes: TextualMemoryItem[];
  /** Edges among those nodes. */
  edges: MemoryEdge[];
  /** Ids of the search hits the walk started from, best first. */
  seeds: string[];
  /** The search behind the seeds (scores, paths, warnings). */
  search: TreeSearchResult;
}
