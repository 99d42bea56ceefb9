/**
 * Registers the OpenAI-compatible backends, so a MemOS-style
 * `{backend: "openai", config: {model_name_or_path, api_key, api_base, temperature, max_tokens}}`
 * resolves to a {@link LanguageModel} (or, as an embedder, to an {@link Embedder}). Nothing is
 * imported or contacted until the first request.
 *
 * - llm "openai", "azure", "deepseek", "qwen" (alias "dashscope"), "vllm", "lmstudio",
 *   "huggingface" (the HF router — MemOS's "huggingface" runs transformers locally; here the same
 *   model id is served remotely and needs HF_TOKEN). Keys: `model_name_or_path`, `temperature`,
 *   `max_tokens`, `top_p`, `remove_think_prefix`, `api_key`, `api_base`, `organization`,
 *   `headers`, `extra_body`, `api_version` (Azure), `structured_output`, `timeout_ms`,
 *   `max_retries`. `top_k` is accepted without effect: the OpenAI API has no such parameter.
 * - embedder "openai" and "universal_api" (MemOS's name): `model_name_or_path`, `embedding_dims`
 *   (required unless the model is known), `preset` ("openai" default, "azure", "qwen", "vllm", ...),
 *   `api_key`, `api_base`, `api_version`, `max_batch`, `timeout_ms`, `max_retries`, `headers`.
 *
 * Other spellings (`base_url`, `default_headers`, `provider`, camelCase) go through the alias
 * table in `../shared/config-aliases.ts`.
 *
 * @example
 * import "memos-ts/providers/openai";
 * const llm = await createFromConfig<LanguageModel>("llm", {
 *   backend: "deepseek", config: { model_name_or_path: "deepseek-chat", temperature: 0 },
 * });
 *
 * @module
 */
import { z } from "zod";
import { registerBackend } from "../../core/backend-registry.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import { backendConfig, remoteChatFields, remoteEmbedderFields } from "../shared/backend-config.js";
import { OPENAI_PRESETS, type OpenAIPresetName, resolvePresetName } from "./openai-presets.js";
import { createOpenAI } from "./openai-provider.js";

const connectionFields = {
  api_key: z.string().optional(),
  api_base: z.url().optional(),
  api_version: z.string().optional(),
};

/** Config of the OpenAI-compatible llm backends. */
export const OpenAICompatibleLLMConfig = backendConfig(
  {
    ...remoteChatFields,
    ...connectionFields,
    organization: z.string().optional(),
    extra_body: z.record(z.string(), z.unknown()).optional(),
    structured_output: z.enum(["json-schema", "json"]).optional(),
  },
  { inert: { top_k: "MemOS's base LLM config has it; the OpenAI API does not" } },
);

const preset = z
  .string()
  .refine((p) => resolvePresetName(p) !== undefined, {
    message: `preset must be one of ${Object.keys(OPENAI_PRESETS).join(", ")}`,
  })
  .transform((p) => resolvePresetName(p) as OpenAIPresetName);

/** Config of the "openai" (and "universal_api") embedder backend. */
export const OpenAIEmbedderConfig = backendConfig({
  ...remoteEmbedderFields,
  ...connectionFields,
  preset: preset.optional(),
});

function openAICompatible(presetName: OpenAIPresetName) {
  return (c: z.output<typeof OpenAICompatibleLLMConfig>): LanguageModel =>
    createOpenAI({
      preset: presetName,
      // MemOS configs for keyless servers carry api_key: "" — treat it as "not given".
      apiKey: c.api_key || undefined,
      baseURL: c.api_base,
      organization: c.organization,
      headers: c.headers,
      apiVersion: c.api_version,
      timeoutMs: c.timeout_ms,
      maxRetries: c.max_retries,
    })(c.model_name_or_path, {
      temperature: c.temperature,
      maxTokens: c.max_tokens,
      topP: c.top_p,
      removeThinkPrefix: c.remove_think_prefix,
      extraBody: c.extra_body,
      structuredOutput: c.structured_output,
    });
}

function openAIEmbedder(c: z.output<typeof OpenAIEmbedderConfig>): Embedder {
  return createOpenAI({
    preset: c.preset ?? "openai",
    apiKey: c.api_key || undefined,
    baseURL: c.api_base,
    apiVersion: c.api_version,
    headers: c.headers,
    timeoutMs: c.timeout_ms,
    maxRetries: c.max_retries,
  }).embedding(c.model_name_or_path, { dimensions: c.embedding_dims, maxBatch: c.max_batch });
}

const llmPresets: Array<[string, OpenAIPresetName]> = [
  ["openai", "openai"],
  ["azure", "azure"],
  ["deepseek", "deepseek"],
  ["qwen", "qwen"],
  ["dashscope", "qwen"],
  ["vllm", "vllm"],
  ["lmstudio", "lmstudio"],
  ["huggingface", "huggingface"],
];
for (const [name, presetName] of llmPresets)
  registerBackend("llm", name, openAICompatible(presetName), OpenAICompatibleLLMConfig);
registerBackend("embedder", "openai", openAIEmbedder, OpenAIEmbedderConfig);
registerBackend("embedder", "universal_api", openAIEmbedder, OpenAIEmbedderConfig);
