import { type Embedder, embedMany } from "../../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../../core/interfaces/language-model.js";
import type { MemoryStore } from "../../../core/interfaces/store.js";
import { cosine } from "../../../core/math/vector.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import { nowIso } from "../../../core/time.js";
import { generateObject } from "../../../providers/shared/generate-object.js";
import { candidateToItem, restate, scopeFilter, statedAt, supersede } from "./items.js";
import { buildJudgePrompt, judgeSchema } from "./prompts.js";
import type { PreferenceAddContext, PreferenceAddResult, PreferenceCandidate } from "./types.js";

export interface ReconcileOptions {
  store: MemoryStore;
  embedder: Embedder;
  /** Judges same / conflict for candidates below the update threshold; none: cosine only. */
  llm?: LanguageModel;
  updateThreshold: number;
  relatedThreshold: number;
  maxTokens?: number;
}

/** What to do with one candidate; `conflicts` are stored preferences it contradicts. */
interface Action {
  candidate: PreferenceCandidate;
  vector: Float32Array | undefined;
  /** Update this stored preference instead of inserting. */
  targetId?: string;
  conflicts: string[];
}

/** Neighbours fetched per candidate, by vector and by topic. */
const NEIGHBOURS = 5;

/**
 * Add-or-update: each candidate updates the nearest current preference of the same user when
 * their cosine reaches the update threshold; otherwise the LLM sees the related ones (close in
 * meaning or on the same topic) and says which the candidate restates (→ update) or contradicts
 * (→ the newer wins, the older gets `invalid_at`); the rest are inserted. Reading and the LLM
 * call happen first, so a failure there writes nothing; all writes then go in ONE transaction.
 */
export async function reconcile(
  opts: ReconcileOptions,
  candidates: PreferenceCandidate[],
  ctx: PreferenceAddContext,
): Promise<PreferenceAddResult> {
  if (candidates.length === 0) return { added: [], updated: [], invalidated: [] };
  const vectors = await embedMany(
    opts.embedder,
    candidates.map((c) => c.preference),
  );
  const batch = mergeWithinBatch(candidates, vectors, opts.updateThreshold);
  const scope = scopeFilter({ userId: ctx.userId ?? null, current: true });

  const actions: Action[] = [];
  const related = new Map<number, Set<string>>();
  for (const [i, { candidate, vector }] of batch.entries()) {
    const near = vector ? await opts.store.vectorSearch(vector, { k: NEIGHBOURS, filter: scope }) : [];
    const top = near[0];
    if (top && top.score >= opts.updateThreshold) {
      actions.push({ candidate, vector, targetId: top.id, conflicts: [] });
      continue;
    }
    actions.push({ candidate, vector, conflicts: [] });
    const sameTopic = await opts.store.listItems({
      filter: { ...scope, topic: candidate.topic },
      limit: NEIGHBOURS,
      order: "desc",
    });
    const ids = new Set([
      ...near.filter((n) => n.score >= opts.relatedThreshold).map((n) => n.id),
      ...sameTopic.map((s) => s.id),
    ]);
    if (ids.size > 0) related.set(i, ids);
  }
  if (opts.llm && related.size > 0) await judge(opts, opts.llm, actions, related);
  return apply(opts.store, actions, ctx);
}

/** Ask the LLM which related stored preferences each candidate restates or contradicts. */
async function judge(
  opts: ReconcileOptions,
  llm: LanguageModel,
  actions: Action[],
  related: Map<number, Set<string>>,
) {
  const storedIds = [...new Set([...related.values()].flatMap((s) => [...s]))];
  const stored = await opts.store.getItems(storedIds);
  const [first, ...rest] = stored.map((s) => s.id);
  if (first === undefined) return;
  const indexes = [...related.keys()];
  const fresh = indexes.map((i, k) => ({
    index: k,
    preference: actions[i]?.candidate.preference ?? "",
    topic: actions[i]?.candidate.topic ?? "",
  }));
  const { object } = await generateObject(
    llm,
    buildJudgePrompt({
      fresh,
      stored: stored.map((s) => ({
        id: s.id,
        preference: s.memory,
        topic: typeof s.metadata.topic === "string" ? s.metadata.topic : null,
      })),
    }),
    judgeSchema(fresh.length, [first, ...rest]),
    { schemaName: "preference_relations", temperature: 0, maxTokens: opts.maxTokens ?? 1024 },
  );
  for (const d of object.decisions) {
    const action = actions[indexes[d.new_index] ?? -1];
    if (!action) continue;
    if (d.relation === "same" && action.targetId === undefined) action.targetId = d.existing_id;
    else if (d.relation === "conflict" && !action.conflicts.includes(d.existing_id))
      action.conflicts.push(d.existing_id);
  }
}

/** All writes of one add, in one transaction; stored items are re-read inside it, so stale plans degrade to inserts. */
async function apply(
  store: MemoryStore,
  actions: Action[],
  ctx: PreferenceAddContext,
): Promise<PreferenceAddResult> {
  const now = nowIso();
  return store.transaction(async (tx) => {
    const state = new Map<string, { item: TextualMemoryItem; kind: "added" | "updated" | "invalidated" }>();
    const read = async (id: string) => state.get(id)?.item ?? (await tx.getItem(id));
    for (const a of actions) {
      const target = a.targetId === undefined ? null : await read(a.targetId);
      const losers: TextualMemoryItem[] = [];
      const winners: TextualMemoryItem[] = [];
      for (const id of a.conflicts) {
        const other = await read(id);
        if (!other || other.id === target?.id || !isCurrent(other)) continue;
        // Newer wins; a tie goes to what the user just said.
        (statedAt(other) > Date.parse(a.candidate.valid_at) ? winners : losers).push(other);
      }
      let winner: TextualMemoryItem;
      if (target && isCurrent(target)) {
        winner = restate(target, a.candidate);
        await tx.updateItem(winner.id, winner, a.vector);
        state.set(winner.id, {
          item: winner,
          kind: state.get(winner.id)?.kind === "added" ? "added" : "updated",
        });
      } else {
        winner = candidateToItem(a.candidate, ctx, now);
        const newer = winners[0];
        // An old conversation replayed after the user changed their mind: stored, but already overridden.
        if (newer) {
          winner.metadata.invalid_at = newer.metadata.valid_at ?? newer.metadata.created_at ?? now;
          winner.metadata.evolve_to = winners.map((w) => w.id);
        }
        await tx.addItems([{ item: winner, embedding: a.vector }]);
        state.set(winner.id, { item: winner, kind: "added" });
        if (newer) continue;
      }
      for (const loser of losers) {
        const next = supersede(loser, winner.id, a.candidate.valid_at);
        await tx.updateItem(next.id, next);
        state.set(next.id, {
          item: next,
          kind: state.get(next.id)?.kind === "added" ? "added" : "invalidated",
        });
      }
    }
    const of = (kind: string) => [...state.values()].filter((s) => s.kind === kind).map((s) => s.item);
    return { added: of("added"), updated: of("updated"), invalidated: of("invalidated") };
  });
}

function isCurrent(item: TextualMemoryItem): boolean {
  return item.metadata.status === "activated" && !item.metadata.invalid_at;
}

/**
 * Candidates of one call that say the same thing (cosine at the threshold) become one: the later
 * wording, both turns as sources, explicit if either was. Without this, two restatements in one
 * conversation would both be inserted, as neither is stored yet when the other is compared.
 */
function mergeWithinBatch(
  candidates: PreferenceCandidate[],
  vectors: Float32Array[],
  threshold: number,
): { candidate: PreferenceCandidate; vector: Float32Array | undefined }[] {
  const kept: { candidate: PreferenceCandidate; vector: Float32Array | undefined }[] = [];
  candidates.forEach((candidate, i) => {
    const vector = vectors[i];
    const twin = kept.findIndex((k) => k.vector && vector && cosine(k.vector, vector) >= threshold);
    const prev = kept[twin];
    if (!prev) {
      kept.push({ candidate, vector });
      return;
    }
    const explicit = [prev.candidate, candidate].some((c) => c.preference_type === "explicit_preference");
    kept[twin] = {
      vector,
      candidate: {
        ...candidate,
        preference_type: explicit ? "explicit_preference" : "implicit_preference",
        sources: [...prev.candidate.sources, ...candidate.sources],
      },
    };
  });
  return kept;
}
