import { createFromConfig } from "../../core/backend-registry.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import type { BackendConfig } from "../../core/schema/config.js";
import { parseModelSpec } from "./model-spec.js";
import "../register-all.js";

const OPENAI_EMBEDDER_PRESETS = new Set(["azure", "qwen", "dashscope", "vllm", "lmstudio"]);

/**
 * The LLM config named by `MEMOS_LLM` (`openai:gpt-4o-mini`, `ollama:qwen2.5`,
 * `llama-cpp:/path/model.gguf`, ...), or undefined when it is unset. A malformed value is a
 * ConfigError, never silently ignored.
 *
 * @example
 * llmConfigFromEnv({ MEMOS_LLM: "ollama:qwen2.5:7b" }); // { backend: "ollama", config: { model_name_or_path: "qwen2.5:7b" } }
 */
export function llmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BackendConfig | undefined {
  const spec = env.MEMOS_LLM?.trim();
  if (!spec) return undefined;
  const { backend, model } = parseModelSpec(spec, "llm");
  return { backend, config: { model_name_or_path: model } };
}

/** The embedder config named by `MEMOS_EMBEDDER`, or undefined (then the cube's own, GloVe by default). */
export function embedderConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BackendConfig | undefined {
  const spec = env.MEMOS_EMBEDDER?.trim();
  if (!spec) return undefined;
  const { backend, model } = parseModelSpec(spec, "embedder");
  if (backend === "glove") return { backend, config: {} };
  // OpenAI-compatible servers share one embedder backend, told apart by preset.
  if (OPENAI_EMBEDDER_PRESETS.has(backend))
    return { backend: "openai", config: { model_name_or_path: model, preset: backend } };
  return { backend, config: { model_name_or_path: model } };
}

/** Build the LLM `MEMOS_LLM` names; undefined when none is configured. */
export async function languageModelFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Promise<LanguageModel | undefined> {
  const config = llmConfigFromEnv(env);
  return config ? createFromConfig<LanguageModel>("llm", config) : undefined;
}

/** Build the embedder `MEMOS_EMBEDDER` names; undefined when unset. */
export async function embedderFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Embedder | undefined> {
  const config = embedderConfigFromEnv(env);
  return config ? createFromConfig<Embedder>("embedder", config) : undefined;
}
