import { z } from "zod";
import { ConfigError } from "../../core/errors/config-error.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { embedMany } from "../../core/interfaces/embedder.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import type { MemCube } from "../../cube/mem-cube.js";
import { applyUpdate } from "../../memory/textual/item-ops.js";
import { withoutEmbedding } from "../../memory/textual/store-backed.js";
import { TreeTextMemory } from "../../memory/textual/tree/tree-memory.js";
import type { UpgradeReport } from "../../memory/textual/tree/types.js";
import { upgradeFastNodes } from "../../memory/textual/tree/upgrade.js";
import { LLM_HINT } from "../../mos/cube-ops.js";
import { FineMemReader } from "../../reader/fine-reader.js";
import { dropCovered, turnKeys } from "../../retrieve/coverage.js";
import { embeddingText } from "../../retrieve/vectors.js";
import type { TaskHandler } from "../types.js";
import { cubeOf, type HandlerDeps, payloadOf } from "./context.js";

/** `mem_read`: the fast memories an add wrote, to be re-read by the LLM (MemOS sends their ids). */
export const MemReadPayload = z.object({
  memory_ids: z.array(z.string().min(1)).min(1).max(10_000),
});

/** What a `mem_read` task reports. */
export interface MemReadResult {
  candidates: number;
  upgraded: { from: string; to: string[] }[];
  /** Fast memories left as they are (the model found nothing new in them, or they changed meanwhile). */
  untouched: string[];
  warnings: string[];
}

/**
 * Fast → fine: the LLM re-reads the fast memories of an add; each one it extracts fine memories
 * from is replaced by them in one transaction (soft-deleted with `evolve_to`), so a search at any
 * moment finds either the fast memory or its successors. Works on tree cubes (their own upgrade,
 * which also moves working memory along) and general cubes (the same upgrade over their store,
 * with the MOS's LLM). When the pass upgrades none of them (model down) the task throws so the
 * queue retries it; the fast memories stay, searchable, whatever happens.
 *
 * @example
 * await handler({ ...task, label: "mem_read", payload: { memory_ids: ["…"] } }, context);
 */
export function memReadHandler({ mos }: HandlerDeps): TaskHandler {
  return async (task) => {
    const { memory_ids } = payloadOf(MemReadPayload, task);
    const cube = await cubeOf(mos, task, "write");
    // A chat add stores each window and its single turns: re-read the windows only, and retire
    // the turns with their window's fine memories, so the fine pass leaves each fact once.
    const store = cube.text.store;
    const items = await store.getItems(memory_ids);
    const readers = dropCovered(
      [...items].sort((a, b) => turnKeys(b).length - turnKeys(a).length),
      (i) => i,
    );
    const report = await upgrade(
      cube,
      readers.map((i) => i.id),
      mos.llm,
    );
    const retired = await retireCovered(
      store,
      items.filter((i) => !readers.includes(i)),
      readers,
      report,
    );
    if (report.candidates > 0 && report.upgraded.length === 0) {
      // Nothing came of the pass (the model failed, or found nothing): worth a retry, as a model
      // that is down comes back; after the last attempt the task is dead and the fast memories stay.
      throw new MemosError({
        code: "provider",
        message: `the fine pass upgraded none of ${report.candidates} fast memory(ies)${report.warnings.length > 0 ? `: ${report.warnings.join("; ")}` : " (the model failed or found nothing)"}`,
        hint: "the fast memories stay searchable; the task is retried, and `memos scheduler status` shows it",
      });
    }
    const result: MemReadResult = {
      candidates: report.candidates,
      upgraded: [...report.upgraded, ...retired],
      untouched: report.untouched,
      warnings: report.warnings,
    };
    return result;
  };
}

/**
 * Soft-delete each covered turn whose covering window was upgraded, `evolve_to` that window's fine
 * memories (as the upgrade does for the window itself, in one transaction per turn; a turn that
 * changed meanwhile is left). Turns whose window was not upgraded stay as they are.
 */
async function retireCovered(
  store: MemoryStore,
  covered: TextualMemoryItem[],
  readers: TextualMemoryItem[],
  report: UpgradeReport,
): Promise<{ from: string; to: string[] }[]> {
  const successors = new Map(report.upgraded.map((u) => [u.from, u.to]));
  const out: { from: string; to: string[] }[] = [];
  for (const turn of covered) {
    const keys = turnKeys(turn);
    const to = readers
      .filter((w) => successors.has(w.id) && keys.every((k) => turnKeys(w).includes(k)))
      .flatMap((w) => successors.get(w.id) ?? []);
    if (to.length === 0) continue;
    const done = await store.transaction(async (tx) => {
      const current = await tx.getItem(turn.id);
      if (current?.metadata.status !== "activated" || current.metadata.version !== turn.metadata.version)
        return false;
      const next = applyUpdate(
        current,
        { metadata: { status: "deleted", evolve_to: [...current.metadata.evolve_to, ...to] } },
        "upgrade",
      );
      await tx.updateItem(turn.id, withoutEmbedding(next));
      return true;
    });
    if (done) out.push({ from: turn.id, to });
  }
  return out;
}

async function upgrade(cube: MemCube, ids: string[], llm: MOSLlm): Promise<UpgradeReport> {
  const text = cube.text;
  if (text instanceof TreeTextMemory) return text.upgradeFastNodes({ ids });
  if (!llm)
    throw new ConfigError({
      message: "mem_read (the fine pass) needs an LLM, and none is configured",
      hint: LLM_HINT,
    });
  const embedder = text.embedder;
  return upgradeFastNodes(
    {
      store: text.store,
      reader: new FineMemReader({ llm }),
      embed: async (items: TextualMemoryItem[]) => {
        const vectors = await embedMany(embedder, items.map(embeddingText));
        return items.map((item, i) => ({ item: withoutEmbedding(item), embedding: vectors[i] }));
      },
    },
    { ids },
  );
}

type MOSLlm = HandlerDeps["mos"]["llm"];
