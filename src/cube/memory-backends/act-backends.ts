import { z } from "zod";
import { createFromConfig, registerBackend } from "../../core/backend-registry.js";
import { ConfigError } from "../../core/errors/config-error.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import { BackendConfig } from "../../core/schema/config.js";
import { KVCacheMemory } from "../../memory/activation/kv-cache-memory.js";
import { isActivationCapable } from "../../memory/activation/types.js";
import type { MemoryBackendContext } from "./context.js";

/**
 * `act_mem.config`, MemOS's names: `extractor_llm` (the model whose KV is cached; here a
 * `llama-cpp` backend, by default the chat model) and `memory_filename` (MemOS pickles its caches
 * into that file; we keep state files and `index.json` under `activation/`, so it is accepted and
 * unused). Ours: `max_memories`, how many memories the cached block pins.
 */
export const KVCacheConfig = z.looseObject({
  memory_filename: z.string().optional(),
  extractor_llm: BackendConfig.optional(),
  max_memories: z.number().int().min(0).max(1000).optional(),
});

async function createKVCacheMemory(
  config: z.output<typeof KVCacheConfig>,
  ctx: MemoryBackendContext,
): Promise<KVCacheMemory> {
  let engine: ReturnType<typeof activationOf> | undefined;
  if (config.extractor_llm) {
    const llm = await createFromConfig<LanguageModel>("llm", config.extractor_llm);
    engine = activationOf(llm, config.extractor_llm.backend);
  }
  return new KVCacheMemory({ cubeDir: ctx.dir, engine, maxMemories: config.max_memories });
}

function activationOf(llm: LanguageModel, backend: string) {
  if (isActivationCapable(llm)) return llm.activation();
  throw new ConfigError({
    message: `act_mem.config.extractor_llm "${backend}" cannot compute KV caches`,
    hint: 'use {"backend": "llama-cpp", "config": {"model_name_or_path": "/path/model.gguf"}}',
  });
}

registerBackend("act_memory", "kv_cache", createKVCacheMemory, KVCacheConfig);
