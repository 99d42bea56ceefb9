/**
 * Retrieval for the tree memory: the Searcher (fast / fine parse, multi-path recall, RRF, rerank,
 * dedup, time-aware scoring, filters) and its parts.
 *
 * @module
 */
export { type Candidate, cachedNormalizer, dedupMmr, dedupSim, mergeSame, normalizedText } from "./dedup.js";
export { DEFAULT_SIM_THRESHOLD, type ResolvedSearchOptions, resolveSearchOptions } from "./options.js";
export { graphPath, keyTagFilter, keyTagHaystack, keyTagMatches, rankWorking } from "./paths.js";
export { parseFast, parseFine, type TaskGoal, TaskGoalSchema, taskGoalPrompt } from "./query-parse.js";
export { type FusedResult, fuseRrf, type RankedList } from "./rrf.js";
export { Searcher } from "./searcher.js";
export { MAX_SUBGRAPH_DEPTH, relevantSubgraph } from "./subgraph.js";
export { parseReferenceTime, temporalFactor } from "./temporal.js";
export {
  type DedupMode,
  GRAPH_EDGE_TYPES,
  type ParsedQuery,
  RECALL_PATHS,
  type RecallPath,
  type RelevantSubgraph,
  type SearcherOptions,
  type SearchHit,
  type SearchMode,
  type SubgraphOptions,
  type TreeSearchOptions,
  type TreeSearchResult,
} from "./types.js";
export { VectorLookup } from "./vectors.js";
