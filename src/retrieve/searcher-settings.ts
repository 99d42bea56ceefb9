import { ConfigError } from "../core/errors/config-error.js";
import type { EdgeType } from "../core/schema/memory.js";
import { type FeedbackSettings, resolveFeedbackSettings } from "./feedback.js";
import { GRAPH_EDGE_TYPES, type RecallPath, type SearcherOptions } from "./types.js";

const DEFAULT_WEIGHTS: Record<RecallPath, number> = { working: 1, vector: 1, keyword: 1, graph: 0.5 };

/** A searcher's tuning, validated once at construction (see {@link SearcherOptions} for each). */
export interface SearcherSettings {
  readonly weights: Record<RecallPath, number>;
  readonly candidateFactor: number;
  readonly minCandidates: number;
  readonly graphSeeds: number;
  readonly graphEdgeTypes: EdgeType[];
  readonly fastKeyTagLookup: "candidates" | "store";
  readonly rerankWeight: number;
  readonly rerankTopN: number | undefined;
  readonly parseMaxTokens: number;
  readonly parseTimeoutMs: number;
  readonly feedback: FeedbackSettings;
}

/** Defaults filled in and every number checked; a bad one is a ConfigError naming it. */
export function resolveSearcherSettings(options: SearcherOptions): SearcherSettings {
  const weights = { ...DEFAULT_WEIGHTS, ...options.pathWeights };
  for (const [path, w] of Object.entries(weights)) {
    if (!Number.isFinite(w) || w < 0) {
      throw new ConfigError({
        message: `pathWeights.${path} must be a non-negative number, got ${w}`,
        hint: "e.g. { graph: 0.5 }",
      });
    }
  }
  const rerankWeight = options.rerankWeight ?? 0.7;
  if (!(rerankWeight >= 0 && rerankWeight <= 1)) {
    throw new ConfigError({
      message: `rerankWeight must be from 0 to 1, got ${rerankWeight}`,
      hint: "e.g. { rerankWeight: 0.7 }",
    });
  }
  const feedback = resolveFeedbackSettings(options);
  return {
    weights,
    candidateFactor: positive("candidateFactor", options.candidateFactor ?? 5),
    minCandidates: positive("minCandidates", options.minCandidates ?? 50),
    graphSeeds: positive("graphSeeds", options.graphSeeds ?? 5, true),
    graphEdgeTypes: options.graphEdgeTypes ?? [...GRAPH_EDGE_TYPES],
    fastKeyTagLookup: options.fastKeyTagLookup ?? "candidates",
    rerankWeight,
    rerankTopN: options.rerankTopN === undefined ? undefined : positive("rerankTopN", options.rerankTopN),
    parseMaxTokens: positive("parseMaxTokens", options.parseMaxTokens ?? 256),
    parseTimeoutMs: positive("parseTimeoutMs", options.parseTimeoutMs ?? 20_000),
    feedback,
  };
}

function positive(name: string, v: number, allowZero = false): number {
  if (!Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
    throw new ConfigError({
      message: `${name} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${v}`,
      hint: `e.g. { ${name}: 5 }`,
    });
  }
  return v;
}
