import { z } from "zod";
import { ConfigError } from "../../core/errors/config-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { oneRebuildAtATime, rebuildActivationMemory } from "../../memory/activation/rebuild.js";
import { isActivationCapable } from "../../memory/activation/types.js";
import type { TaskHandler } from "../types.js";
import { cubeOf, type HandlerDeps, payloadOf } from "./context.js";

/** `act_mem_update`: bring a cube's KV cache in step with its pinned memories. */
export const ActMemUpdatePayload = z.object({
  /** Evaluate the memory block again even when the saved cache matches it. */
  force: z.boolean().default(false),
});

/** What an `act_mem_update` task reports. */
export interface ActMemUpdateResult {
  cache_id: string;
  rebuilt: boolean;
  dropped: number;
  token_count: number;
}

/**
 * The KV rebuild in the background, so the next chat turn finds the memory block's state ready
 * instead of evaluating it first. The model is the cube's `act_mem.config.extractor_llm` when it
 * names one, else MOS's chat model; either must be llama.cpp (a ConfigError otherwise: a retry
 * cannot fix it). A cube without activation memory is invalid input.
 *
 * @example
 * await scheduler.submit({ label: "act_mem_update", user_id: "alice", cube_id: "alice/default", payload: {} });
 */
export function actMemUpdateHandler({ mos }: HandlerDeps): TaskHandler {
  return async (task): Promise<ActMemUpdateResult> => {
    const { force } = payloadOf(ActMemUpdatePayload, task);
    const cube = await cubeOf(mos, task, "write");
    let activation = cube.activation;
    if (!activation)
      throw new InvalidInputError({
        message: `cube ${task.cube_id} has no activation memory (act_mem): nothing to rebuild`,
        hint: 'set "act_mem": {"backend": "kv_cache", "config": {}} in the cube\'s config.json',
      });
    if (!activation.hasEngine) {
      if (!isActivationCapable(mos.llm))
        throw new ConfigError({
          message: `cube ${task.cube_id}: rebuilding its KV cache needs a local llama.cpp model`,
          hint: "set act_mem.config.extractor_llm, or run the worker with MEMOS_LLM=llama-cpp:/path/model.gguf",
        });
      activation = activation.withEngine(mos.llm.activation());
    }
    const memory = activation;
    const r = await oneRebuildAtATime(cube.dir, () =>
      rebuildActivationMemory({ activation: memory, store: cube.text.store, force }),
    );
    return { cache_id: r.item.id, rebuilt: r.rebuilt, dropped: r.dropped, token_count: r.item.token_count };
  };
}
