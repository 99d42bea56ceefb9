import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { linkFollows } from "./follows.js";
import { integrateItems, type OrganizeContext } from "./integrate.js";
import { optimizeStructureOf } from "./structure.js";
import type { ReorganizeReport, ReorganizerOptions, StructureOptions, StructureReport } from "./types.js";

function unitInterval(name: string, value: number): number {
  if (!Number.isFinite(value) || value < -1 || value > 1) {
    throw new InvalidInputError({
      message: `reorganizer: ${name} must be a cosine in [-1, 1], got ${value}`,
      hint: `e.g. ${name}: 0.8`,
    });
  }
  return value;
}

/**
 * Keeps a tree memory's graph tidy after writes: merges duplicates, resolves contradictions
 * bi-temporally, and builds topic hierarchy, relation and FOLLOWS edges. Nothing is ever deleted:
 * merged originals are archived with MERGED_TO edges, contradicted facts get `invalid_at`, and
 * every changed node gets a history entry and a new version. Each decision is written in one
 * store transaction; a failed model call leaves the pair unchanged and is counted.
 *
 * @example
 * const reorg = new MemoryReorganizer({ store, embedder, llm });
 * await store.addItems(items.map((item, i) => ({ item, embedding: vectors[i] })));
 * const report = await reorg.integrate(items); // { merged, conflicts, failures, ... }
 * await reorg.optimizeStructure({ memoryType: "LongTermMemory" });
 */
export class MemoryReorganizer {
  private readonly ctx: OrganizeContext;

  constructor(options: ReorganizerOptions) {
    const {
      store,
      embedder,
      llm,
      threshold = 0.8,
      nearDuplicateThreshold = 0.97,
      maxNeighbours = 5,
      generateOptions = { temperature: 0 },
    } = options;
    if (!Number.isInteger(maxNeighbours) || maxNeighbours < 1) {
      throw new InvalidInputError({
        message: `reorganizer: maxNeighbours must be a positive integer, got ${maxNeighbours}`,
        hint: "e.g. maxNeighbours: 5",
      });
    }
    this.ctx = {
      store,
      embedder,
      llm,
      threshold: unitInterval("threshold", threshold),
      nearDuplicateThreshold: unitInterval("nearDuplicateThreshold", nearDuplicateThreshold),
      maxNeighbours,
      generateOptions,
    };
  }

  /** Whether an LLM is configured (otherwise only exact / near-exact duplicates are merged). */
  get hasLlm(): boolean {
    return this.ctx.llm !== undefined;
  }

  /**
   * Integrate memories that were just stored (with their vectors). For each one still activated,
   * its same-type activated neighbours with cosine >= threshold (at most maxNeighbours):
   * - same text (content hash): merged without an LLM into the older node;
   * - no LLM and cosine >= nearDuplicateThreshold: the same;
   * - with an LLM, judged: redundant → a NEW merged node (version 1), both originals archived with
   *   MERGED_TO edges to it; contradictory → the newer fact wins, the older keeps status
   *   activated but gets invalid_at and a CONFLICT edge from the newer; independent → nothing.
   * Then FOLLOWS edges for the sessions involved.
   */
  async integrate(newItems: TextualMemoryItem[]): Promise<ReorganizeReport> {
    if (!Array.isArray(newItems)) {
      throw new InvalidInputError({
        message: "integrate() takes a list of memories",
        hint: "pass the items you just stored",
      });
    }
    return integrateItems(this.ctx, newItems);
  }

  /**
   * Cluster activated nodes of one memory type that have no PARENT yet; with an LLM, write a
   * PARENT summary per cluster (type "topic") and relation edges among its members; FOLLOWS
   * edges in any case.
   */
  async optimizeStructure(options: StructureOptions = {}): Promise<StructureReport> {
    const { minClusterSize = 3, maxClusterSize = 20, clusterThreshold = 0.75 } = options;
    if (
      !Number.isInteger(minClusterSize) ||
      !Number.isInteger(maxClusterSize) ||
      minClusterSize < 2 ||
      maxClusterSize < minClusterSize
    ) {
      throw new InvalidInputError({
        message: `optimizeStructure: need integers 2 <= minClusterSize <= maxClusterSize, got ${minClusterSize} and ${maxClusterSize}`,
        hint: "e.g. { minClusterSize: 3, maxClusterSize: 20 }",
      });
    }
    unitInterval("clusterThreshold", clusterThreshold);
    return optimizeStructureOf(this.ctx, options);
  }

  /** FOLLOWS edges between consecutive events of the items' sessions (see {@link linkFollows}). Returns edges added. */
  async linkFollows(items: TextualMemoryItem[]): Promise<number> {
    return linkFollows(this.ctx.store, items);
  }
}

/** Several runs' reports (one per memory type) as one: counts added, lists joined. */
export function sumStructureReports(reports: StructureReport[]): StructureReport {
  return reports.reduce((a, b) => ({
    candidates: a.candidates + b.candidates,
    clusters: [...a.clusters, ...b.clusters],
    parentIds: [...a.parentIds, ...b.parentIds],
    parentEdges: a.parentEdges + b.parentEdges,
    relationEdges: a.relationEdges + b.relationEdges,
    follows: a.follows + b.follows,
    failures: a.failures + b.failures,
  }));
}
