import { z } from "zod";
import { ConfigError } from "../../core/errors/config-error.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { embedMany } from "../../core/interfaces/embedder.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import type { MemCube } from "../../cube/mem-cube.js";
import { embeddingText, withoutEmbedding } from "../../memory/textual/store-backed.js";
import { TreeTextMemory } from "../../memory/textual/tree/tree-memory.js";
import type { UpgradeReport } from "../../memory/textual/tree/types.js";
import { upgradeFastNodes } from "../../memory/textual/tree/upgrade.js";
import { LLM_HINT } from "../../mos/cube-ops.js";
import { FineMemReader } from "../../reader/fine-reader.js";
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
    const report = await upgrade(cube, memory_ids, mos.llm);
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
      upgraded: report.upgraded,
      untouched: report.untouched,
      warnings: report.warnings,
    };
    return result;
  };
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
