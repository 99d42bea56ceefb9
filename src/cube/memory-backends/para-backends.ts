import { z } from "zod";
import { registerBackend } from "../../core/backend-registry.js";
import { BackendConfig } from "../../core/schema/config.js";
import { LoRAMemory } from "../../memory/parametric/lora-memory.js";
import { isModelUri } from "../../providers/llama-cpp/llama-cpp-runtime.js";
import type { MemoryBackendContext } from "./context.js";

/**
 * `para_mem.config` of backend "lora", with MemOS's names: `memory_filename` (MemOS's placeholder
 * file, "parametric_memory.adapter"; kept for round trips, our adapters live in `parametric/`)
 * and `extractor_llm` (the model the adapters belong to: a llama-cpp model's
 * `model_name_or_path` is the base model adapters are checked against when `add` names none).
 */
export const LoRAMemoryConfig = z.looseObject({
  memory_filename: z.string().default("parametric_memory.adapter"),
  extractor_llm: BackendConfig.optional(),
});
export type LoRAMemoryConfig = z.output<typeof LoRAMemoryConfig>;

/** The base model a `lora` config names: a local GGUF of a llama-cpp extractor_llm, else none. */
export function loraBaseModel(config: LoRAMemoryConfig): string | undefined {
  const llm = config.extractor_llm;
  if (llm?.backend !== "llama-cpp") return undefined;
  const c = llm.config ?? {};
  const path = c.model_name_or_path ?? c.modelPath ?? c.model_path;
  return typeof path === "string" && path.length > 0 && !isModelUri(path) ? path : undefined;
}

registerBackend(
  "para_memory",
  "lora",
  (config: LoRAMemoryConfig, ctx: MemoryBackendContext) =>
    new LoRAMemory({ dir: ctx.dir, baseModel: loraBaseModel(config) }),
  LoRAMemoryConfig,
);
