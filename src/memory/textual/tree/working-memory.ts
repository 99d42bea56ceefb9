/**
 * Working memory as MemOS keeps it: copies of the most recent memories with
 * `memory_type: "WorkingMemory"`. Ours also say which memory they copy (`working_of`) and in which
 * order they arrived (`working_seq`), so search can hand back the source (never the same memory
 * twice) and the oldest copies leave first. A copy is a view: when it leaves working memory it is
 * deleted, and nothing is lost because its source keeps the content. A copy whose source stops
 * being activated (merged, upgraded, evicted) follows the source's successors, or goes.
 *
 * @module
 */

import { newId } from "../../../core/ids.js";
import type { MemoryStore, StoredItem } from "../../../core/interfaces/store.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import { nowIso } from "../../../core/time.js";
import { withoutEmbedding } from "../store-backed.js";

export const WORKING_MEMORY = "WorkingMemory";
/** Metadata field of a copy: the id of the memory it copies. */
export const WORKING_OF = "working_of";
/** Metadata field of a copy: arrival order (higher is newer). */
export const WORKING_SEQ = "working_seq";

const WORKING_FILTER = { memory_type: WORKING_MEMORY, status: "activated" } as const;
/** How far `liveSuccessors` follows evolve_to / MERGED_TO chains. */
const MAX_HOPS = 8;

/** The source id of a working-memory copy (undefined for MemOS's copies, which name none). */
export function workingSourceOf(item: TextualMemoryItem): string | undefined {
  const v = (item.metadata as Record<string, unknown>)[WORKING_OF];
  return typeof v === "string" && v !== "" ? v : undefined;
}

function seqOf(item: TextualMemoryItem): number {
  const v = (item.metadata as Record<string, unknown>)[WORKING_SEQ];
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** Copies oldest first: by arrival order, then creation time, then id. */
function oldestFirst(a: TextualMemoryItem, b: TextualMemoryItem): number {
  return (
    seqOf(a) - seqOf(b) ||
    (a.metadata.created_at ?? "").localeCompare(b.metadata.created_at ?? "") ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * All working-memory copies, newest first.
 *
 * @example
 * (await listWorkingCopies(store)).map((c) => c.metadata.working_of); // source ids
 */
export async function listWorkingCopies(store: MemoryStore): Promise<TextualMemoryItem[]> {
  return (await store.listItems({ filter: WORKING_FILTER })).sort(oldestFirst).reverse();
}

/**
 * The activated memories currently in working memory, newest first, each once: copies are
 * resolved to their sources; MemOS's own copies (no `working_of`) stand for themselves.
 *
 * @example
 * const recent = await workingMemoryItems(store); // what the searcher's working path scores
 */
export async function workingMemoryItems(store: MemoryStore): Promise<TextualMemoryItem[]> {
  const copies = await listWorkingCopies(store);
  const sources = new Map(
    (await store.getItems(copies.map(workingSourceOf).filter((id): id is string => id !== undefined))).map(
      (s) => [s.id, s],
    ),
  );
  const seen = new Set<string>();
  const out: TextualMemoryItem[] = [];
  for (const copy of copies) {
    const sourceId = workingSourceOf(copy);
    const item = sourceId === undefined ? copy : sources.get(sourceId);
    if (item?.metadata.status !== "activated" || seen.has(item.id)) continue;
    seen.add(item.id);
    out.push(item);
  }
  return out;
}

/**
 * The activated memories that stand for `id` now: itself when activated, else what it evolved
 * into (`evolve_to`) or was merged into (MERGED_TO), followed transitively.
 *
 * @example
 * await liveSuccessors(store, upgradedFastNodeId); // its fine successors
 */
export async function liveSuccessors(store: MemoryStore, id: string): Promise<TextualMemoryItem[]> {
  const out: TextualMemoryItem[] = [];
  const seen = new Set<string>([id]);
  let frontier = [id];
  for (let hop = 0; hop <= MAX_HOPS && frontier.length > 0; hop++) {
    const items = await store.getItems(frontier);
    const next: string[] = [];
    for (const item of items) {
      if (item.metadata.status === "activated") {
        out.push(item);
        continue;
      }
      const merged = await store.getEdges(item.id, { direction: "out", types: ["MERGED_TO"] });
      for (const to of [...item.metadata.evolve_to, ...merged.map((e) => e.target)]) {
        if (!seen.has(to)) {
          seen.add(to);
          next.push(to);
        }
      }
    }
    frontier = next;
  }
  return out;
}

/** Outcome of a working-memory update. */
export interface WorkingMemoryChange {
  /** Source ids copied in (or moved to the front). */
  entered: string[];
  /** Source ids whose copies left (capacity) or were dropped (source gone). */
  left: string[];
}

/**
 * Put `sources` (activated memories, oldest first) at the front of working memory, follow
 * copies whose source is no longer activated to its successors, and drop the oldest copies
 * beyond `capacity`. One transaction.
 *
 * @example
 * const { entered, left } = await updateWorkingMemory(store, justAdded, 20);
 */
export async function updateWorkingMemory(
  store: MemoryStore,
  sources: TextualMemoryItem[],
  capacity: number,
): Promise<WorkingMemoryChange> {
  return store.transaction(async (tx) => {
    const now = nowIso();
    const copies = (await tx.listItems({ filter: WORKING_FILTER })).sort(oldestFirst);
    let seq = copies.reduce((m, c) => Math.max(m, seqOf(c)), 0);
    const entered: string[] = [];
    const left: string[] = [];
    const remove: string[] = [];
    const add: StoredItem[] = [];
    // Keeps the order copies should have (oldest first) and which source each holds.
    const order: { copyId: string; sourceId: string | undefined; seq: number }[] = [];
    const held = new Set<string>();

    const copyOf = async (source: TextualMemoryItem, at: number) => {
      const embedding = (await tx.getEmbedding(source.id)) ?? undefined;
      const {
        usage: _u,
        history: _h,
        evolve_to: _e,
        version: _v,
        ...meta
      } = withoutEmbedding(source).metadata;
      const copy: TextualMemoryItem = {
        id: newId(),
        memory: source.memory,
        metadata: {
          ...meta,
          memory_type: WORKING_MEMORY,
          status: "activated",
          usage: [],
          history: [],
          evolve_to: [],
          version: 1,
          created_at: now,
          updated_at: now,
          [WORKING_OF]: source.id,
          [WORKING_SEQ]: at,
        } as TextualMemoryItem["metadata"],
      };
      add.push({ item: copy, embedding });
      held.add(source.id);
      order.push({ copyId: copy.id, sourceId: source.id, seq: at });
    };

    // Existing copies: keep, re-point to successors, or drop.
    const entering = sources.filter(
      (s) => s.metadata.status === "activated" && s.metadata.memory_type !== WORKING_MEMORY,
    );
    const newIds = new Set(entering.map((s) => s.id));
    const current = new Map(
      (await tx.getItems(copies.map(workingSourceOf).filter((id): id is string => id !== undefined))).map(
        (s) => [s.id, s],
      ),
    );
    for (const copy of copies) {
      const sourceId = workingSourceOf(copy);
      if (sourceId === undefined) {
        order.push({ copyId: copy.id, sourceId: undefined, seq: seqOf(copy) });
        continue;
      }
      const source = current.get(sourceId);
      if (source?.metadata.status === "activated" && !newIds.has(sourceId) && !held.has(sourceId)) {
        held.add(sourceId);
        order.push({ copyId: copy.id, sourceId, seq: seqOf(copy) });
        continue;
      }
      remove.push(copy.id);
      if (newIds.has(sourceId)) continue; // re-enters at the front below
      const successors = source ? await liveSuccessors(tx, sourceId) : [];
      const fresh = successors.filter((s) => !held.has(s.id) && !newIds.has(s.id));
      for (const s of fresh) await copyOf(s, seqOf(copy));
      if (fresh.length === 0) left.push(sourceId);
    }
    for (const source of entering) {
      if (held.has(source.id)) continue;
      seq += 1;
      await copyOf(source, seq);
      entered.push(source.id);
    }
    order.sort((a, b) => a.seq - b.seq);
    const excess = order.length - capacity;
    const dropped = new Set<string>();
    for (const o of order.slice(0, Math.max(0, excess))) {
      dropped.add(o.copyId);
      if (o.sourceId !== undefined) left.push(o.sourceId);
    }
    const keep = add.filter((a) => !dropped.has(a.item.id));
    await tx.deleteItems([...remove, ...[...dropped].filter((id) => !add.some((a) => a.item.id === id))]);
    if (keep.length > 0) await tx.addItems(keep);
    return { entered: entered.filter((id) => !left.includes(id)), left };
  });
}

/**
 * Delete the copies of `sourceIds` (their sources were deleted). Returns how many.
 *
 * @example
 * await dropWorkingCopies(store, deletedIds);
 */
export async function dropWorkingCopies(store: MemoryStore, sourceIds: string[]): Promise<number> {
  if (sourceIds.length === 0) return 0;
  const wanted = new Set(sourceIds);
  const copies = await store.listItems({ filter: WORKING_FILTER });
  const ids = copies.filter((c) => wanted.has(workingSourceOf(c) ?? "")).map((c) => c.id);
  return ids.length === 0 ? 0 : store.deleteItems(ids);
}

/**
 * Give the copies of `source` its current text and vector (after an update or rollback), so a
 * listing or a dump never shows working memory out of date. One transaction.
 *
 * @example
 * await refreshWorkingCopies(store, await store.getItem(id));
 */
export async function refreshWorkingCopies(store: MemoryStore, source: TextualMemoryItem): Promise<number> {
  return store.transaction(async (tx) => {
    const copies = (await tx.listItems({ filter: WORKING_FILTER })).filter(
      (c) => workingSourceOf(c) === source.id,
    );
    if (copies.length === 0) return 0;
    const vector = (await tx.getEmbedding(source.id)) ?? undefined;
    for (const copy of copies) {
      const { embedding: _e, ...meta } = copy.metadata;
      await tx.updateItem(
        copy.id,
        {
          ...copy,
          memory: source.memory,
          metadata: {
            ...meta,
            key: source.metadata.key,
            tags: source.metadata.tags,
          } as TextualMemoryItem["metadata"],
        },
        vector,
      );
    }
    return copies.length;
  });
}
