/**
 * Presets for OpenAI-compatible servers: where they live, which environment variable holds the
 * key, and how well they constrain JSON.
 *
 * `structuredOutput`:
 * - "json-schema" — the server enforces `response_format: {type: "json_schema"}`: OpenAI, Azure
 *   OpenAI, vLLM (guided decoding), LM Studio (grammar from the schema).
 * - "json" — only `{type: "json_object"}` is documented or reliable: DeepSeek (json_object only),
 *   DashScope/Qwen (json_object; json_schema only on some models), the Hugging Face router (varies
 *   by inference provider). `generateObject` then puts the schema in the prompt and validates.
 *
 * @module
 */

export type OpenAIPresetName = "openai" | "azure" | "deepseek" | "qwen" | "vllm" | "lmstudio" | "huggingface";

export interface OpenAIPreset {
  readonly name: OpenAIPresetName;
  /** Used when neither `baseURL` nor `baseURLEnv` gives one. Azure has none: see `endpoint`. */
  readonly baseURL?: string;
  /** Environment variable that may override the base URL. */
  readonly baseURLEnv?: string;
  /** Environment variable holding the API key; named in authentication error hints. */
  readonly apiKeyEnv?: string;
  /**
   * Local servers (vLLM, LM Studio) need no key, but the OpenAI client insists on one: send
   * this placeholder (vLLM's docs use "EMPTY").
   */
  readonly placeholderKey?: string;
  readonly structuredOutput: "json-schema" | "json";
  readonly defaultHeaders?: Readonly<Record<string, string>>;
  /** Where to get a key or how to start the server; shown in hints. */
  readonly docs: string;
}

export const OPENAI_PRESETS: Readonly<Record<OpenAIPresetName, OpenAIPreset>> = {
  openai: {
    name: "openai",
    baseURL: "https://api.openai.com/v1",
    baseURLEnv: "OPENAI_BASE_URL",
    apiKeyEnv: "OPENAI_API_KEY",
    structuredOutput: "json-schema",
    docs: "https://platform.openai.com/api-keys",
  },
  azure: {
    // Endpoint (AZURE_OPENAI_ENDPOINT), deployment name as the model id, api version
    // (OPENAI_API_VERSION or apiVersion) and AZURE_OPENAI_API_KEY; sent as the `api-key` header.
    name: "azure",
    apiKeyEnv: "AZURE_OPENAI_API_KEY",
    structuredOutput: "json-schema",
    docs: "Azure portal → your OpenAI resource → Keys and Endpoint",
  },
  deepseek: {
    name: "deepseek",
    baseURL: "https://api.deepseek.com/v1",
    apiKeyEnv: "DEEPSEEK_API_KEY",
    structuredOutput: "json",
    docs: "https://platform.deepseek.com/api_keys",
  },
  qwen: {
    // Mainland endpoint; international accounts use https://dashscope-intl.aliyuncs.com/compatible-mode/v1.
    name: "qwen",
    baseURL: "https://dashscope.aliyuncs.com/compatible-mode/v1",
    apiKeyEnv: "DASHSCOPE_API_KEY",
    structuredOutput: "json",
    docs: "https://help.aliyun.com/zh/model-studio/get-api-key",
  },
  vllm: {
    name: "vllm",
    baseURL: "http://localhost:8000/v1",
    baseURLEnv: "VLLM_BASE_URL",
    apiKeyEnv: "VLLM_API_KEY",
    placeholderKey: "EMPTY",
    structuredOutput: "json-schema",
    docs: "start it with `vllm serve <model>`",
  },
  lmstudio: {
    name: "lmstudio",
    baseURL: "http://localhost:1234/v1",
    baseURLEnv: "LMSTUDIO_BASE_URL",
    placeholderKey: "lm-studio",
    structuredOutput: "json-schema",
    docs: "start LM Studio's local server (Developer tab) or `lms server start`",
  },
  huggingface: {
    // The router fronts many inference providers; a dedicated Inference Endpoint works too:
    // pass its URL + "/v1" as baseURL.
    name: "huggingface",
    baseURL: "https://router.huggingface.co/v1",
    apiKeyEnv: "HF_TOKEN",
    structuredOutput: "json",
    docs: "https://huggingface.co/settings/tokens",
  },
};

/** Preset names and their aliases ("dashscope" → qwen, "hf" → huggingface, "azure-openai" → azure). */
export function resolvePresetName(name: string): OpenAIPresetName | undefined {
  const aliases: Record<string, OpenAIPresetName> = {
    dashscope: "qwen",
    hf: "huggingface",
    "azure-openai": "azure",
  };
  const lower = name.toLowerCase();
  if (lower in OPENAI_PRESETS) return lower as OpenAIPresetName;
  return aliases[lower];
}
