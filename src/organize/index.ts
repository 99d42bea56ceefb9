/**
 * The reorganizer: duplicate / conflict detection and merge, topic hierarchy (PARENT
 * summaries), relation and FOLLOWS edges, and a graph consistency check.
 *
 * @module
 */

export { type ClusterOptions, clusterByCosine } from "./cluster.js";
export { resolveConflict } from "./conflict.js";
export {
  type ConsistencyReport,
  checkGraphConsistency,
  checkGraphData,
  resolveMerged,
  wasMergedAway,
} from "./consistency.js";
export { mergeDuplicates } from "./dedup.js";
export { linkFollows } from "./follows.js";
export { buildMergedNode, writeMergedNode } from "./merge.js";
export {
  MergedMemory,
  mergePrompt,
  PairJudgement,
  PROMPT_MARKERS,
  pairPrompt,
  RELATION_TYPES,
  RelationList,
  relationsPrompt,
  summaryPrompt,
  TopicSummary,
} from "./prompts.js";
export { relationEdges } from "./relations.js";
export { MemoryReorganizer } from "./reorganizer.js";
export type {
  Decision,
  DecisionKind,
  ReorganizeReport,
  ReorganizerOptions,
  StructureOptions,
  StructureReport,
} from "./types.js";
