import { errorMessage } from "../core/errors/error-message.js";
import { adaptChatModel, releaseAdaptedModels } from "../memory/parametric/adapted-model.js";
import type { ActiveAdapter } from "../memory/parametric/lora-memory.js";
import type { ChatDeps, ChatResult, ChatStream } from "./chat.js";
import { type MosCore, readScope } from "./context.js";

/**
 * Run a chat turn on the chat model with the active LoRA adapters of the cubes it reads
 * (`cubeIds`, else every cube the user reads): a llama.cpp model gets a context carrying them;
 * adapters that cannot apply (another base model, a chat model that is not llama.cpp, an index
 * that cannot be read) leave a line in the turn's warnings. The adapted model is handed back when the
 * turn ends (for a stream: when its result settles).
 */
export async function withChatAdapters(
  core: MosCore,
  userId: string,
  cubeIds: string[] | undefined,
  deps: ChatDeps,
  run: (deps: ChatDeps) => Promise<ChatResult | ChatStream>,
): Promise<ChatResult | ChatStream> {
  const adapters: ActiveAdapter[] = [];
  const warnings: string[] = [];
  for (const record of readScope(core, userId, cubeIds)) {
    // A cube that fails to open is reported by the search, once.
    const cube = await core.pool.get(record.cube_id).catch(() => undefined);
    try {
      adapters.push(...(cube?.parametric?.active() ?? []));
    } catch (error) {
      warnings.push(`${record.cube_id}: LoRA adapters not read: ${errorMessage(error)}`);
    }
  }
  const adapted = await adaptChatModel(deps.llm, adapters);
  warnings.push(...adapted.warnings);
  const retrieve: ChatDeps["retrieve"] = async (query, topK) => {
    const found = await deps.retrieve(query, topK);
    return { ...found, warnings: [...warnings, ...found.warnings] };
  };
  let result: ChatResult | ChatStream;
  try {
    result = await run({ ...deps, llm: adapted.llm, retrieve });
  } catch (error) {
    adapted.release();
    throw error;
  }
  if ("textStream" in result) result.result.then(adapted.release, adapted.release);
  else adapted.release();
  return result;
}

/** Free the chat model contexts kept for LoRA adapters (MOS.close). */
export function releaseChatAdapters(core: MosCore): Promise<void> {
  return releaseAdaptedModels(core.llm);
}
