import { ConfigError } from "../../core/errors/config-error.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import type { MemCube } from "../../cube/mem-cube.js";
import { TreeTextMemory } from "../../memory/textual/tree/tree-memory.js";
import { languageModelFromEnv } from "../../providers/shared/from-env.js";

/** How to configure an LLM, in one line (the hint of every "needs an LLM" error). */
export const LLM_HINT =
  "set MEMOS_LLM, e.g. MEMOS_LLM=openai:gpt-4o-mini (with OPENAI_API_KEY), MEMOS_LLM=ollama:qwen2.5 or MEMOS_LLM=llama-cpp:/path/model.gguf; or use --mode fast";

/**
 * The LLM `--mode fine` uses for a cube: a tree cube's own (MEMOS_LLM, else its config's
 * extractor_llm), else MEMOS_LLM. None configured is a ConfigError (exit 2) saying how to set one.
 */
export async function fineModeLlm(cube: MemCube, command: string): Promise<LanguageModel> {
  const llm =
    (cube.text instanceof TreeTextMemory ? cube.text.llm : undefined) ?? (await languageModelFromEnv());
  if (!llm)
    throw new ConfigError({
      message: `${command} --mode fine needs an LLM, and none is configured`,
      hint: LLM_HINT,
    });
  return llm;
}
