import { isModelUri } from "../../providers/llama-cpp/llama-cpp-runtime.js";
import { llmConfigFromEnv } from "../../providers/shared/from-env.js";
import { modelFingerprint } from "./gguf-info.js";
import type { LoRAMemory } from "./lora-memory.js";

/**
 * One line on a cube's parametric memory for `memos doctor`: how many adapters, which are active
 * at what scale, every file checked against its sha256 (a mismatch throws the StorageError), and,
 * given the chat model's GGUF, whether the active adapters were added for it.
 *
 * @example
 * await parametricStatus(cube.parametric, "./base.gguf"); // "2 adapters, 1 active (style ×0.5); checksums ok; all active adapters fit base.gguf"
 */
export async function parametricStatus(para: LoRAMemory, chatModelFile?: string): Promise<string> {
  const count = await para.verify();
  const active = para.active();
  const parts = [
    `${count} LoRA adapter${count === 1 ? "" : "s"}, ${active.length} active${active.length ? ` (${active.map((a) => `${a.name} ×${a.scale}`).join(", ")})` : ""}`,
    "checksums ok",
  ];
  if (active.length > 0) {
    if (!chatModelFile) parts.push("applied only when the chat model is llama.cpp (MEMOS_LLM=llama-cpp:…)");
    else {
      const fingerprint = modelFingerprint(chatModelFile);
      const foreign = active.filter((a) => a.baseFingerprint !== fingerprint).map((a) => a.name);
      parts.push(
        foreign.length
          ? `not applied with the chat model (added for another base model): ${foreign.join(", ")}`
          : "every active adapter fits the chat model",
      );
    }
  }
  return parts.join("; ");
}

/** The local GGUF of the chat model `MEMOS_LLM=llama-cpp:/path/model.gguf` names, if any. */
export function llamaCppModelFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const config = llmConfigFromEnv(env);
  const path = config?.backend === "llama-cpp" ? config.config?.model_name_or_path : undefined;
  return typeof path === "string" && !isModelUri(path) ? path : undefined;
}
