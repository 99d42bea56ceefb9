import { errorMessage } from "../../../core/errors/error-message.js";
import { InvalidInputError } from "../../../core/errors/invalid-input-error.js";
import type { MemoryStore, StoredItem } from "../../../core/interfaces/store.js";
import { logger } from "../../../core/logger.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import type { FineMemReader, FineUpgrade } from "../../../reader/fine-reader.js";
import { applyUpdate } from "../item-ops.js";
import { withoutEmbedding } from "../store-backed.js";
import type { UpgradeReport } from "./types.js";
import { WORKING_MEMORY } from "./working-memory.js";

export const FAST_TAG = "mode:fast";

export interface UpgradeDeps {
  store: MemoryStore;
  reader: Pick<FineMemReader, "upgradeFastItems">;
  /** Embeds items for `addItems` (the memory's embedder). */
  embed: (items: TextualMemoryItem[]) => Promise<StoredItem[]>;
}

/** A node the upgrade may replace: activated, fast-mode, not a working-memory copy. */
function isFastNode(item: TextualMemoryItem): boolean {
  return (
    item.metadata.status === "activated" &&
    item.metadata.tags.includes(FAST_TAG) &&
    item.metadata.memory_type !== WORKING_MEMORY
  );
}

/**
 * Fast → fine: the fine reader re-reads each fast node; a node with fine successors is
 * soft-deleted (status "deleted", `evolve_to` = successor ids, history `{update_type: "upgrade"}`,
 * version bumped) in the SAME transaction that stores its successors, so a crash leaves either
 * the fast node or its replacement, never neither. A node whose extraction fell back to fast
 * (successors still tagged "mode:fast", or none) or that changed meanwhile is left untouched.
 *
 * @example
 * const report = await upgradeFastNodes({ store, reader: new FineMemReader({ llm }), embed }, { limit: 100 });
 */
export async function upgradeFastNodes(
  deps: UpgradeDeps,
  options: { limit?: number; ids?: string[] } = {},
): Promise<UpgradeReport> {
  const { limit } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidInputError({
      message: `limit must be a positive integer, got ${String(limit)}`,
      hint: "e.g. { limit: 100 }",
    });
  }
  const candidates = options.ids
    ? (await deps.store.getItems(options.ids)).filter(isFastNode).slice(0, limit)
    : await deps.store.listItems({
        filter: { status: "activated", tags: { contains: FAST_TAG }, memory_type: { ne: WORKING_MEMORY } },
        limit,
      });
  const report: UpgradeReport = { candidates: candidates.length, upgraded: [], untouched: [], warnings: [] };
  if (candidates.length === 0) return report;

  let pairs: FineUpgrade[];
  try {
    // The reader leaves out nodes it could not upgrade (model failure, nothing found): they stay.
    pairs = await deps.reader.upgradeFastItems(candidates, {});
  } catch (error) {
    const why = errorMessage(error);
    logger.warn({ err: error }, "tree memory: fine upgrade failed; fast nodes kept");
    report.warnings.push(`fine upgrade failed (${why}); ${candidates.length} fast node(s) kept as they are`);
    report.untouched.push(...candidates.map((c) => c.id));
    return report;
  }
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const seen = new Set<string>();
  for (const pair of pairs) {
    const fromId = pair.from;
    const original = byId.get(fromId);
    if (!original || seen.has(fromId)) continue;
    seen.add(fromId);
    const successors = pair.to.filter((t) => t.id !== fromId);
    if (successors.length === 0 || successors.every((t) => t.metadata.tags.includes(FAST_TAG))) {
      report.untouched.push(fromId);
      continue;
    }
    const stored = await deps.embed(successors);
    const done = await deps.store.transaction(async (tx) => {
      const current = await tx.getItem(fromId);
      // Changed since we read it (another upgrade, a merge, an edit): its successors may be stale.
      if (!current || !isFastNode(current) || current.metadata.version !== original.metadata.version)
        return false;
      await tx.addItems(stored);
      const ids = stored.map((s) => s.item.id);
      const next = applyUpdate(
        current,
        { metadata: { status: "deleted", evolve_to: [...current.metadata.evolve_to, ...ids] } },
        "upgrade",
      );
      await tx.updateItem(fromId, withoutEmbedding(next));
      return true;
    });
    if (done) report.upgraded.push({ from: fromId, to: stored.map((s) => s.item.id) });
    else report.untouched.push(fromId);
  }
  for (const c of candidates) if (!seen.has(c.id)) report.untouched.push(c.id);
  return report;
}
