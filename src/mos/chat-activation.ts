/**
 * Activation memory in a chat turn: the cube's pinned memories open the system prompt as one
 * block that stays byte-identical from turn to turn; on a llama.cpp chat model the block's saved
 * KV state is restored (rebuilt first when its memories changed) so only the new tokens are
 * evaluated. On any other model the stable block still lets a server's prefix cache (vLLM,
 * llama.cpp's server) serve it.
 *
 * @module
 */
import { errorMessage } from "../core/errors/error-message.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import { logger } from "../core/logger.js";
import type { KVCacheMemory } from "../memory/activation/kv-cache-memory.js";
import { oneRebuildAtATime, pinnedMemories, rebuildActivationMemory } from "../memory/activation/rebuild.js";
import { isActivationCapable } from "../memory/activation/types.js";
import type { PromptMemory } from "./chat-prompt.js";
import { type MosCore, readScope } from "./context.js";

/** What activation memory brings to a turn. */
export interface ChatActivation {
  /** The memories that open the prompt, in order (numbered from 1). */
  pinned: Omit<PromptMemory, "index">[];
  /** The chat model resuming from the block's saved state (llama.cpp only). */
  llm?: LanguageModel;
  /** The cache was rebuilt for this turn (its memories had changed). */
  rebuilt: boolean;
  warnings: string[];
}

/**
 * The activation memory of the first cube in the user's read scope that has one (`act_mem`
 * configured), for a turn with base prompt `base`; undefined when none has.
 */
export async function activationForChat(
  core: MosCore,
  userId: string,
  options: { cubeIds?: string[]; base?: string; llm?: LanguageModel },
): Promise<ChatActivation | undefined> {
  for (const record of readScope(core, userId, options.cubeIds)) {
    // A cube that does not open is skipped here; the turn's search already warns about it.
    const cube = await core.pool.get(record.cube_id).catch(() => undefined);
    if (!cube?.activation) continue;
    const items = await pinnedMemories(cube.text.store, cube.activation.maxMemories);
    const pinned = items.map((item) => ({ memoryId: item.id, cubeId: record.cube_id, item }));
    const llm = options.llm;
    if (!isActivationCapable(llm)) return { pinned, rebuilt: false, warnings: [] };
    const activation: KVCacheMemory = cube.activation.withEngine(llm.activation());
    try {
      const built = await oneRebuildAtATime(cube.dir, () =>
        rebuildActivationMemory({ activation, store: cube.text.store, items, base: options.base }),
      );
      return { pinned, llm: await activation.modelFor(built.item), rebuilt: built.rebuilt, warnings: [] };
    } catch (error) {
      // The turn still answers, evaluating the whole prompt; the caller sees why.
      logger.warn({ cube: record.cube_id, error: errorMessage(error) }, "chat: KV cache unavailable");
      return {
        pinned,
        rebuilt: false,
        warnings: [`${record.cube_id}: KV cache not used: ${errorMessage(error)}`],
      };
    }
  }
  return undefined;
}
