import { contentHash } from "../core/ids.js";
import type { Embedder } from "../core/interfaces/embedder.js";
import type { GenerateOptions, LanguageModel } from "../core/interfaces/language-model.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import { logger } from "../core/logger.js";
import { isZeroVector } from "../core/math/vector.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { resolveConflict } from "./conflict.js";
import { mergeDuplicates } from "./dedup.js";
import { linkFollows } from "./follows.js";
import { askObject, attempt } from "./llm-call.js";
import { buildMergedNode, writeMergedNode } from "./merge.js";
import { isLiveFact } from "./node-ops.js";
import { MergedMemory, mergePrompt, PairJudgement, pairPrompt } from "./prompts.js";
import type { Decision, ReorganizeReport } from "./types.js";

/** Resolved settings shared by integrate and optimizeStructure. */
export interface OrganizeContext {
  store: MemoryStore;
  embedder: Embedder;
  llm: LanguageModel | undefined;
  threshold: number;
  nearDuplicateThreshold: number;
  maxNeighbours: number;
  generateOptions: GenerateOptions;
}

/** What one decision did to the memory being integrated. */
interface Outcome {
  decision: Decision;
  /** The memory was archived or invalidated: stop comparing it. */
  currentGone: boolean;
  /** A node written in its place, to integrate in turn (LLM merges: new text). */
  replacement?: string;
}

/** Decisions that wrote nothing: the nodes read before them are still current. ("skipped" means
 * one changed meanwhile, so it is read again.) */
const WRITES_NOTHING = new Set<Decision["kind"]>(["independent", "failure"]);

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export function emptyReport(): ReorganizeReport {
  return {
    processed: 0,
    compared: 0,
    duplicates: 0,
    merged: 0,
    conflicts: 0,
    independent: 0,
    failures: 0,
    skipped: 0,
    follows: 0,
    createdIds: [],
    archivedIds: [],
    invalidatedIds: [],
    decisions: [],
  };
}

async function vectorOf(ctx: OrganizeContext, item: TextualMemoryItem): Promise<Float32Array | null> {
  let v = await ctx.store.getEmbedding(item.id);
  if (!v) {
    const r = await attempt("embed", async () => (await ctx.embedder.doEmbed([item.memory]))[0]);
    v = r.ok && r.value ? r.value : null;
  }
  return v && !isZeroVector(v) ? v : null; // a zero vector has no neighbours (stores refuse it as a query)
}

/** Decide one pair and write the result (each decision in its own transaction). */
async function decide(
  ctx: OrganizeContext,
  current: TextualMemoryItem,
  other: TextualMemoryItem,
  cos: number,
  report: ReorganizeReport,
): Promise<Outcome> {
  const base = { id: current.id, otherId: other.id, cosine: cos };
  const skipped = (reason: string): Outcome => {
    report.skipped++;
    return { decision: { ...base, kind: "skipped", reason }, currentGone: false };
  };
  const failed = (reason: string): Outcome => {
    report.failures++;
    return { decision: { ...base, kind: "failure", reason }, currentGone: false };
  };
  const sameText = contentHash(current.memory) === contentHash(other.memory);
  // Exact duplicates need no judgement; near-duplicates only when no LLM can judge them
  // (with one, "likes tea" / "no longer likes tea" may embed within 0.97 and still conflict).
  if (sameText || (!ctx.llm && cos >= ctx.nearDuplicateThreshold)) {
    const r = await mergeDuplicates(ctx.store, current, other);
    if (!r) return skipped("changed meanwhile");
    report.duplicates++;
    report.archivedIds.push(r.archivedId);
    return {
      decision: {
        ...base,
        kind: "duplicate",
        resultId: r.survivorId,
        reason: sameText ? "same text" : "near-duplicate",
      },
      currentGone: r.archivedId === current.id,
    };
  }
  if (!ctx.llm) {
    report.independent++;
    return {
      decision: { ...base, kind: "independent", reason: "no LLM: below the near-duplicate threshold" },
      currentGone: false,
    };
  }
  const judged = await askObject(
    "pair_relation",
    ctx.llm,
    pairPrompt(other, current),
    PairJudgement,
    ctx.generateOptions,
  );
  if (!judged.ok) return failed(judged.error);
  const { relation, reason } = judged.value;
  if (relation === "independent") {
    report.independent++;
    return { decision: { ...base, kind: "independent", reason }, currentGone: false };
  }
  if (relation === "contradictory") {
    const r = await resolveConflict(ctx.store, current, other);
    if (!r) return skipped("changed meanwhile");
    report.conflicts++;
    report.invalidatedIds.push(r.loserId);
    return {
      decision: { ...base, kind: "conflict", resultId: r.winnerId, reason },
      currentGone: r.loserId === current.id,
    };
  }
  const merged = await askObject(
    "merged_memory",
    ctx.llm,
    mergePrompt(other, current),
    MergedMemory,
    ctx.generateOptions,
  );
  if (!merged.ok) return failed(merged.error);
  if (merged.value.memory.trim() === "") return failed("the merged memory is blank");
  const node = buildMergedNode(current, other, merged.value);
  const vec = await attempt("embed", async () => (await ctx.embedder.doEmbed([node.memory]))[0]);
  if (!vec.ok || !vec.value) return failed(vec.ok ? "the embedder returned no vector" : vec.error);
  const id = await writeMergedNode(ctx.store, current, other, node, vec.value);
  if (!id) return skipped("changed meanwhile");
  report.merged++;
  report.createdIds.push(id);
  report.archivedIds.push(current.id, other.id);
  return { decision: { ...base, kind: "merge", resultId: id, reason }, currentGone: true, replacement: id };
}

/**
 * Integrate stored memories into the graph: compare each with its closest same-type activated
 * neighbours (cosine >= threshold, at most maxNeighbours, each pair once per run) and apply the
 * decision. Merged nodes are integrated in turn; every merge removes at least one activated
 * node, so the loop ends. Finally FOLLOWS edges for the sessions touched.
 */
export async function integrateItems(
  ctx: OrganizeContext,
  newItems: TextualMemoryItem[],
): Promise<ReorganizeReport> {
  const report = emptyReport();
  const queue = [...new Set(newItems.map((i) => i.id))];
  const judged = new Set<string>();
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    let current = await ctx.store.getItem(id);
    if (!current) {
      report.skipped++;
      logger.warn({ id }, "reorganizer: a memory to integrate is not in the store");
      continue;
    }
    if (!isLiveFact(current)) continue; // merged away or invalidated earlier in this run
    report.processed++;
    const vector = await vectorOf(ctx, current);
    if (!vector) continue;
    const k = ctx.maxNeighbours * 3 + 1; // room for itself, topics, invalid and already-judged hits
    const hits = await ctx.store.vectorSearch(vector, {
      k,
      filter: { memory_type: current.metadata.memory_type, status: "activated" },
    });
    const candidates = hits.filter(
      (h) => h.id !== id && h.score >= ctx.threshold && !judged.has(pairKey(id, h.id)),
    );
    const others = new Map((await ctx.store.getItems(candidates.map((c) => c.id))).map((o) => [o.id, o]));
    let compared = 0;
    // Whether a decision of this loop wrote anything; "independent" writes nothing.
    let wrote = false;
    for (const hit of candidates) {
      if (compared >= ctx.maxNeighbours) break;
      // Re-read after a write: an earlier decision of this loop may have changed either node.
      const other = wrote ? await ctx.store.getItem(hit.id) : others.get(hit.id);
      if (!other || !isLiveFact(other)) continue;
      judged.add(pairKey(id, hit.id));
      compared++;
      report.compared++;
      const outcome = await decide(ctx, current, other, hit.score, report);
      report.decisions.push(outcome.decision);
      if (outcome.replacement) queue.push(outcome.replacement);
      if (outcome.currentGone) break;
      if (!WRITES_NOTHING.has(outcome.decision.kind)) wrote = true;
      if (!wrote) continue;
      const fresh: TextualMemoryItem | null = await ctx.store.getItem(id);
      if (!fresh || !isLiveFact(fresh)) break;
      current = fresh;
    }
  }
  const touched = [...newItems, ...(await ctx.store.getItems(report.createdIds))];
  report.follows = await linkFollows(ctx.store, touched);
  return report;
}
