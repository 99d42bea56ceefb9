import { errorMessage } from "../../../core/errors/error-message.js";
import type { MemoryStore } from "../../../core/interfaces/store.js";
import { logger } from "../../../core/logger.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import type { MemoryReorganizer } from "../../../organize/reorganizer.js";
import type { MemoryCapacities } from "./capacities.js";
import { evictOverCapacity } from "./eviction.js";
import type { TreeAddReport } from "./types.js";
import { liveSuccessors, updateWorkingMemory } from "./working-memory.js";

/** What a read produced: the items, and how many fine windows fell back to fast items. */
export interface Read {
  mode: "fast" | "fine";
  items: TextualMemoryItem[];
  fallbacks: number;
}

/** What the steps after an add's commit need from the tree memory. */
export interface AfterCommitDeps {
  readonly store: MemoryStore;
  readonly reorganizer: MemoryReorganizer;
  readonly capacities: Readonly<MemoryCapacities>;
  readonly reorganizeOnAdd: boolean;
}

/**
 * Integrate → working memory → eviction, each step on its own: a failure is logged and
 * pushed to `warnings`, and the next step still runs. Working memory comes after integrate so
 * its copies point at what survived (a merged node rather than its archived originals).
 */
export async function afterCommit(
  deps: AfterCommitDeps,
  added: TextualMemoryItem[],
  warnings: string[],
  options: { enterWorking: boolean } = { enterWorking: true },
): Promise<Partial<TreeAddReport>> {
  const out: Partial<TreeAddReport> = {};
  if (deps.reorganizeOnAdd) {
    try {
      out.reorganize = await deps.reorganizer.integrate(added);
    } catch (error) {
      warnStep(warnings, "reorganize", error);
    }
  }
  try {
    const live = options.enterWorking ? await survivors(deps, added) : [];
    out.working = await updateWorkingMemory(deps.store, live, deps.capacities.working);
  } catch (error) {
    warnStep(warnings, "working memory", error);
  }
  try {
    out.evicted = await evictOverCapacity(deps.store, deps.capacities);
  } catch (error) {
    warnStep(warnings, "eviction", error);
  }
  return out;
}

/**
 * What stands for the newest added items now (integrate may have merged some away): only the
 * last `capacity` can stay in working memory, so only those are resolved.
 */
async function survivors(deps: AfterCommitDeps, added: TextualMemoryItem[]): Promise<TextualMemoryItem[]> {
  const cap = deps.capacities.working;
  const recent = Number.isFinite(cap) ? added.slice(-cap) : added;
  const current = new Map((await deps.store.getItems(recent.map((i) => i.id))).map((i) => [i.id, i]));
  const out: TextualMemoryItem[] = [];
  for (const item of recent) {
    const now = current.get(item.id);
    if (now?.metadata.status === "activated") out.push(now);
    else if (now) out.push(...(await liveSuccessors(deps.store, item.id)));
  }
  return out;
}

export function warnStep(warnings: string[], step: string, error: unknown): void {
  logger.warn(
    { err: error, step },
    "tree memory: a step after the commit failed; the added memories are stored",
  );
  warnings.push(`${step} failed: ${errorMessage(error)}`);
}
