/**
 * Side-effect module: registers the remote LLM backends, so a MemOS-style
 * `{backend: "openai", config: {model_name_or_path, api_key, api_base, temperature, max_tokens}}`
 * resolves to a {@link LanguageModel}. Nothing is imported or contacted until the first request.
 *
 * Backends: "openai", "azure", "deepseek", "qwen" (alias "dashscope"), "vllm", "lmstudio",
 * "huggingface" (the HF router — note MemOS's "huggingface" runs transformers locally; here the
 * same model id is served remotely and needs HF_TOKEN), and "ollama".
 *
 * Config keys (MemOS names, camelCase accepted where noted): `model_name_or_path` (or `model`),
 * `temperature`, `max_tokens`, `top_p`, `top_k` (Ollama only), `remove_think_prefix`,
 * `api_key`, `api_base` (or `base_url`), `organization`, `default_headers` (or `headers`),
 * `extra_body`, `api_version` (Azure), `enable_thinking` (Ollama `think`), `num_ctx`, `keep_alive`,
 * `timeout_ms`, `max_retries`. Other MemOS keys (`add_generation_prompt`, `model_schema`, ...)
 * are accepted and ignored.
 *
 * @example
 * import "memos-ts/providers/llm/register";
 * const llm = await createFromConfig<LanguageModel>("llm", {
 *   backend: "ollama", config: { model_name_or_path: "qwen3:0.6b", temperature: 0, remove_think_prefix: true },
 * });
 *
 * @module
 */
import { z } from "zod";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import { registerBackend } from "../../core/backend-registry.js";
import { createOllama } from "./ollama/provider.js";
import type { OpenAIPresetName } from "./openai/presets.js";
import { createOpenAI } from "./openai/provider.js";

const model = { model_name_or_path: z.string().min(1).optional(), model: z.string().min(1).optional() };
const modelRequired = (c: { model_name_or_path?: string; model?: string }) =>
  Boolean(c.model_name_or_path ?? c.model);
const modelIssue = { message: "model_name_or_path is required", path: ["model_name_or_path"] };

const common = {
  ...model,
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  top_p: z.number().min(0).max(1).optional(),
  remove_think_prefix: z.boolean().optional(),
  timeout_ms: z.number().int().positive().optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
};

/** Config of the OpenAI-compatible backends. */
export const OpenAICompatibleLLMConfig = z
  .object({
    ...common,
    api_key: z.string().optional(),
    api_base: z.url().optional(),
    base_url: z.url().optional(),
    organization: z.string().optional(),
    default_headers: z.record(z.string(), z.string()).nullish(),
    headers: z.record(z.string(), z.string()).optional(),
    extra_body: z.record(z.string(), z.unknown()).nullish(),
    api_version: z.string().optional(),
    structured_output: z.enum(["json-schema", "json"]).optional(),
  })
  .refine(modelRequired, modelIssue);

/** Config of the "ollama" backend (MemOS: `api_base` is the server, `enable_thinking`). */
export const OllamaLLMConfig = z
  .object({
    ...common,
    top_k: z.number().int().positive().optional(),
    api_base: z.url().optional(),
    host: z.string().optional(),
    enable_thinking: z.boolean().optional(),
    num_ctx: z.number().int().positive().optional(),
    keep_alive: z.union([z.string(), z.number()]).optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .refine(modelRequired, modelIssue);

function openAICompatible(preset: OpenAIPresetName) {
  return (c: z.output<typeof OpenAICompatibleLLMConfig>): LanguageModel => {
    const provider = createOpenAI({
      preset,
      // MemOS configs for keyless servers carry api_key: "" — treat it as "not given".
      apiKey: c.api_key || undefined,
      baseURL: c.api_base ?? c.base_url,
      organization: c.organization,
      headers: { ...c.default_headers, ...c.headers },
      apiVersion: c.api_version,
      timeoutMs: c.timeout_ms,
      maxRetries: c.max_retries,
    });
    return provider((c.model_name_or_path ?? c.model) as string, {
      temperature: c.temperature,
      maxTokens: c.max_tokens,
      topP: c.top_p,
      removeThinkPrefix: c.remove_think_prefix,
      extraBody: c.extra_body ?? undefined,
      structuredOutput: c.structured_output,
    });
  };
}

const presets: Array<[string, OpenAIPresetName]> = [
  ["openai", "openai"],
  ["azure", "azure"],
  ["deepseek", "deepseek"],
  ["qwen", "qwen"],
  ["dashscope", "qwen"],
  ["vllm", "vllm"],
  ["lmstudio", "lmstudio"],
  ["huggingface", "huggingface"],
];
for (const [name, preset] of presets)
  registerBackend("llm", name, openAICompatible(preset), OpenAICompatibleLLMConfig);

registerBackend(
  "llm",
  "ollama",
  (c): LanguageModel =>
    createOllama({
      host: c.host ?? c.api_base,
      headers: c.headers,
      timeoutMs: c.timeout_ms,
      maxRetries: c.max_retries,
    })((c.model_name_or_path ?? c.model) as string, {
      temperature: c.temperature,
      maxTokens: c.max_tokens,
      topP: c.top_p,
      topK: c.top_k,
      removeThinkPrefix: c.remove_think_prefix,
      think: c.enable_thinking,
      numCtx: c.num_ctx,
      keepAlive: c.keep_alive,
    }),
  OllamaLLMConfig,
);
