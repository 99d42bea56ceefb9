/**
 * The reorganizer: duplicate / conflict detection and merge, topic hierarchy (PARENT
 * summaries), relation and FOLLOWS edges, and a graph consistency check.
 *
 * @module
 */
export { MemoryReorganizer } from "./reorganizer.js";
export type {
  Decision,
  DecisionKind,
  ReorganizeReport,
  ReorganizerOptions,
  StructureOptions,
  StructureReport,
} from "./types.js";
export { checkGraphConsistency, checkGraphData, type ConsistencyReport, resolveMerged, wasMergedAway } from "./consistency.js";
export { linkFollows } from "./follows.js";
export { clusterByCosine, type ClusterOptions } from "./cluster.js";
export { mergeDuplicates } from "./dedup.js";
export { buildMergedNode, writeMergedNode } from "./merge.js";
export { resolveConflict } from "./conflict.js";
export { relationEdges } from "./relations.js";
export {
  MergedMemory,
  mergePrompt,
  PairJudgement,
  pairPrompt,
  PROMPT_MARKERS,
  RELATION_TYPES,
  RelationList,
  relationsPrompt,
  summaryPrompt,
  TopicSummary,
} from "./prompts.js";
