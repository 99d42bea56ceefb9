import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { type FilterNode, normalizeFilter } from "../core/schema/filter.js";
import { parseReferenceTime } from "./temporal.js";
import {
  type DedupMode,
  RECALL_PATHS,
  type RecallPath,
  type SearchMode,
  type TreeSearchOptions,
} from "./types.js";

/**
 * Default near-duplicate cosine. 0.92 (a common choice for large embedding models) dropped
 * distinct, overlapping chat windows under the offline GloVe embedder, whose sentence vectors
 * are coarse: LoCoMo evidence recall at 1,000 tokens fell from 0.726 to 0.710; at 0.95 and above
 * nothing was lost, while rephrasings of one fact (cosine ≈ 0.99) are still caught.
 */
export const DEFAULT_SIM_THRESHOLD = 0.95;

/** TreeSearchOptions checked and with defaults filled in. */
export interface ResolvedSearchOptions {
  mode: SearchMode;
  topK: number;
  perTypeTopK: Map<string, number>;
  /** Status + memory types + caller filter, as one node for the store. */
  filter: FilterNode;
  /** What working-memory items must pass: status, the caller's filter, and memoryTypes (WorkingMemory always allowed). */
  workingFilter: FilterNode;
  /** The caller's memoryTypes, or undefined for "all but WorkingMemory". */
  memoryTypes: string[] | undefined;
  referenceTime: number | undefined;
  dedup: DedupMode;
  mmrLambda: number;
  simThreshold: number;
  threshold: number;
  rerank: boolean | undefined;
  includeInactive: boolean;
  paths: Set<RecallPath>;
}

function bad(message: string, hint: string): InvalidInputError {
  return new InvalidInputError({ message, hint });
}

function unit(name: string, v: unknown, fallback: number, hint: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) {
    throw bad(`${name} must be a number from 0 to 1, got ${String(v)}`, hint);
  }
  return v;
}

/**
 * Validate search options (InvalidInputError with a hint for each mistake) and fill defaults.
 *
 * @example
 * resolveSearchOptions({ topK: 5, filter: { user_id: "alice" } }).filter;
 * // status = activated AND memory_type != WorkingMemory AND user_id = alice, as one FilterNode
 */
export function resolveSearchOptions(options: TreeSearchOptions = {}): ResolvedSearchOptions {
  if (typeof options !== "object" || options === null)
    throw bad("search options must be an object", "e.g. { topK: 10 }");
  const mode = options.mode ?? "fast";
  if (mode !== "fast" && mode !== "fine")
    throw bad(`mode must be "fast" or "fine", got ${String(mode)}`, 'e.g. { mode: "fine" }');
  const topK = options.topK ?? 10;
  if (!Number.isInteger(topK) || topK < 1 || topK > 1000) {
    throw bad(`topK must be an integer from 1 to 1000, got ${String(topK)}`, "e.g. { topK: 10 }");
  }
  const perTypeTopK = new Map<string, number>();
  for (const [type, n] of Object.entries(options.perTypeTopK ?? {})) {
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 0) {
      throw bad(
        `perTypeTopK.${type} must be a non-negative integer, got ${String(n)}`,
        "e.g. { perTypeTopK: { UserMemory: 3 } }",
      );
    }
    perTypeTopK.set(type, n);
  }
  const memoryTypes = options.memoryTypes;
  if (
    memoryTypes !== undefined &&
    (!Array.isArray(memoryTypes) ||
      memoryTypes.length === 0 ||
      !memoryTypes.every((t) => typeof t === "string" && t !== ""))
  ) {
    throw bad(
      "memoryTypes must be a non-empty list of memory_type names",
      'e.g. { memoryTypes: ["LongTermMemory", "UserMemory"] }',
    );
  }
  const dedup = options.dedup ?? "mmr";
  if (dedup !== "no" && dedup !== "sim" && dedup !== "mmr") {
    throw bad(`dedup must be "no", "sim" or "mmr", got ${String(dedup)}`, 'e.g. { dedup: "sim" }');
  }
  const threshold = options.threshold ?? 0;
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) {
    throw bad(
      `threshold must be a number, got ${String(threshold)}`,
      "e.g. { threshold: 0.3 } drops hits scoring below 0.3",
    );
  }
  const paths = new Set<RecallPath>(options.paths ?? RECALL_PATHS);
  for (const p of paths) {
    if (!RECALL_PATHS.includes(p))
      throw bad(`unknown recall path "${String(p)}"`, `paths are ${RECALL_PATHS.join(", ")}`);
  }
  if (paths.size === 0)
    throw bad("paths is empty: nothing would be searched", `pick some of ${RECALL_PATHS.join(", ")}`);
  const includeInactive = options.includeInactive === true;
  return {
    mode,
    topK,
    perTypeTopK,
    filter: storeFilter(options, memoryTypes, includeInactive, false),
    workingFilter: storeFilter(options, memoryTypes, includeInactive, true),
    memoryTypes,
    referenceTime: parseReferenceTime(options.referenceTime),
    dedup,
    mmrLambda: unit(
      "mmrLambda",
      options.mmrLambda,
      0.7,
      "e.g. { mmrLambda: 0.7 }: 1 = relevance only, 0 = diversity only",
    ),
    simThreshold: unit(
      "simThreshold",
      options.simThreshold,
      DEFAULT_SIM_THRESHOLD,
      "e.g. { simThreshold: 0.95 }",
    ),
    threshold,
    rerank: options.rerank,
    includeInactive,
    paths,
  };
}

/**
 * Status (activated unless includeInactive), memory types and the caller's filter. For the store
 * the default types are all but WorkingMemory (its nodes are copies the working path covers);
 * working-memory items always pass the type check for "WorkingMemory".
 */
function storeFilter(
  options: TreeSearchOptions,
  memoryTypes: string[] | undefined,
  includeInactive: boolean,
  working: boolean,
): FilterNode {
  const children: FilterNode[] = [];
  if (!includeInactive) children.push({ kind: "cmp", field: "status", op: "eq", value: "activated" });
  if (working) {
    if (memoryTypes)
      children.push({
        kind: "cmp",
        field: "memory_type",
        op: "in",
        value: [...new Set([...memoryTypes, "WorkingMemory"])],
      });
  } else {
    children.push(
      memoryTypes
        ? { kind: "cmp", field: "memory_type", op: "in", value: memoryTypes }
        : { kind: "cmp", field: "memory_type", op: "ne", value: "WorkingMemory" },
    );
  }
  if (options.filter !== undefined) children.push(normalizeFilter(options.filter));
  if (children.length === 0) return { kind: "and", children: [] };
  return children.length === 1 ? (children[0] as FilterNode) : { kind: "and", children };
}

/**
 * `filter AND extra`, flattening a top-level and.
 *
 * @example
 * andFilter(base, { kind: "cmp", field: "id", op: "in", value: ids });
 */
export function andFilter(filter: FilterNode, extra: FilterNode): FilterNode {
  const base = filter.kind === "and" ? filter.children : [filter];
  return { kind: "and", children: [...base, extra] };
}
