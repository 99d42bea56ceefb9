import { newId } from "../core/ids.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import { isZeroVector } from "../core/math/vector.js";
import { TextualMemoryItem } from "../core/schema/memory.js";
import { nowIso } from "../core/time.js";
import { clusterByCosine } from "./cluster.js";
import { linkFollows } from "./follows.js";
import type { OrganizeContext } from "./integrate.js";
import { askObject, attempt } from "./llm-call.js";
import { isLiveFact, olderFirst, unionStrings } from "./node-ops.js";
import { RelationList, relationsPrompt, summaryPrompt, TopicSummary } from "./prompts.js";
import { relationEdges } from "./relations.js";
import type { StructureOptions, StructureReport } from "./types.js";

async function hasParent(store: MemoryStore, id: string): Promise<boolean> {
  return (await store.getEdges(id, { direction: "in", types: ["PARENT"] })).length > 0;
}

/** Members still activated and without a parent, re-checked inside the writing transaction. */
async function stillFree(tx: MemoryStore, members: TextualMemoryItem[]): Promise<TextualMemoryItem[]> {
  const fresh = new Map((await tx.getItems(members.map((m) => m.id))).map((m) => [m.id, m]));
  const out: TextualMemoryItem[] = [];
  for (const m of members) {
    const f = fresh.get(m.id);
    if (f && isLiveFact(f) && !(await hasParent(tx, m.id))) out.push(f);
  }
  return out;
}

/** The PARENT (topic) node of a cluster: version 1, no sources (the PARENT edges say whose summary it is). */
function topicNode(
  members: TextualMemoryItem[],
  summary: TopicSummary,
  memoryType: string,
): TextualMemoryItem {
  const first = members[0];
  const now = nowIso();
  const users = new Set(members.map((m) => m.metadata.user_id ?? null));
  return TextualMemoryItem.parse({
    id: newId(),
    memory: summary.memory.trim(),
    metadata: {
      user_id: users.size === 1 ? first?.metadata.user_id : null,
      cube_id: first?.metadata.cube_id,
      status: "activated",
      type: "topic",
      key: summary.key.trim() || null,
      tags: unionStrings(summary.tags.map((t) => t.trim()).filter(Boolean)),
      source: "system",
      memory_type: memoryType,
      sources: [],
      background: "",
      created_at: now,
      updated_at: now,
      version: 1,
      history: [],
      evolve_to: [],
    },
  });
}

/**
 * Cluster free activated nodes of one memory type by embedding; with an LLM, give each cluster
 * a PARENT summary node and CAUSE / CONDITION / RELATE_TO edges among its members. Without an
 * LLM there are no summaries or relation edges (no text to write them from), only FOLLOWS.
 * Adding edges does not change a member node, so members keep their version.
 */
export async function optimizeStructureOf(
  ctx: OrganizeContext,
  options: StructureOptions = {},
): Promise<StructureReport> {
  const {
    memoryType = "LongTermMemory",
    minClusterSize = 3,
    maxClusterSize = 20,
    clusterThreshold = 0.75,
  } = options;
  const { store, llm } = ctx;
  const report: StructureReport = {
    candidates: 0,
    clusters: [],
    parentIds: [],
    parentEdges: 0,
    relationEdges: 0,
    follows: 0,
    failures: 0,
  };
  const nodes = (await store.listItems({ filter: { memory_type: memoryType, status: "activated" } })).sort(
    olderFirst,
  );
  const free: TextualMemoryItem[] = [];
  const vectors: Float32Array[] = [];
  for (const node of nodes) {
    if (!isLiveFact(node) || (await hasParent(store, node.id))) continue;
    const v = await store.getEmbedding(node.id);
    if (!v || isZeroVector(v)) continue;
    free.push(node);
    vectors.push(v);
  }
  report.candidates = free.length;
  const clusters = clusterByCosine(vectors, {
    threshold: clusterThreshold,
    minSize: Math.max(2, minClusterSize),
    maxSize: Math.max(2, maxClusterSize),
  }).map((idx) => idx.map((i) => free[i] as TextualMemoryItem));

  for (const members of clusters) {
    report.clusters.push(members.map((m) => m.id));
    if (!llm) continue;
    const summary = await askObject(
      "topic_summary",
      llm,
      summaryPrompt(members),
      TopicSummary,
      ctx.generateOptions,
    );
    if (summary.ok && summary.value.memory.trim() !== "") {
      const parent = topicNode(members, summary.value, memoryType);
      const vec = await attempt("embed", async () => (await ctx.embedder.doEmbed([parent.memory]))[0]);
      if (vec.ok && vec.value) {
        const embedding = vec.value;
        const written = await store.transaction(async (tx) => {
          const children = await stillFree(tx, members);
          if (children.length < Math.max(2, minClusterSize)) return 0;
          await tx.addItems([{ item: parent, embedding }]);
          await tx.addEdges(
            children.map((c) => ({ source: parent.id, target: c.id, type: "PARENT" as const })),
          );
          return children.length;
        });
        if (written > 0) {
          report.parentIds.push(parent.id);
          report.parentEdges += written;
        }
      } else report.failures++;
    } else report.failures++;

    const rel = await askObject(
      "relations",
      llm,
      relationsPrompt(members),
      RelationList,
      ctx.generateOptions,
    );
    if (!rel.ok) {
      report.failures++;
      continue;
    }
    const edges = relationEdges(
      rel.value.relations,
      members.map((m) => m.id),
    );
    if (edges.length === 0) continue;
    report.relationEdges += await store.transaction(async (tx) => {
      // Only between members that still exist (a hard delete meanwhile must not leave a dangling edge).
      const alive = new Set((await tx.getItems(members.map((m) => m.id))).map((m) => m.id));
      const ok = edges.filter((e) => alive.has(e.source) && alive.has(e.target));
      if (ok.length > 0) await tx.addEdges(ok);
      return ok.length;
    });
  }
  report.follows = await linkFollows(store, nodes);
  return report;
}
