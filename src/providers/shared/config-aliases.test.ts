import { describe, expect, it } from "vitest";
import { createFromConfig } from "../../core/backend-registry.js";
import { ConfigError } from "../../core/errors/config-error.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import { LlamaCppConfig, LlamaCppEmbedderConfig } from "../llama-cpp/register.js";
import type { OllamaChatLanguageModel } from "../ollama/ollama-chat-language-model.js";
import type { OpenAIChatLanguageModel } from "../openai/openai-chat-language-model.js";
import "../register-all.js";
import { CONFIG_KEY_ALIASES, normalizeConfigKeys } from "./config-aliases.js";

async function configError(kind: string, config: unknown): Promise<ConfigError> {
  const error = await createFromConfig(kind, config).catch((e: unknown) => e);
  expect(ConfigError.isInstance(error), String(error)).toBe(true);
  return error as ConfigError;
}

describe("config key aliases", () => {
  it("rewrites every spelling to one canonical key, drops nulls and MemOS bookkeeping", () => {
    expect(
      normalizeConfigKeys({
        modelPath: "m.gguf",
        n_ctx: 2048,
        base_url: "http://x/v1",
        embedding_dims: null,
        model_schema: "memos.configs.llm.OllamaLLMConfig",
        temperature: 0,
      }),
    ).toEqual({
      config: { model_name_or_path: "m.gguf", context_size: 2048, api_base: "http://x/v1", temperature: 0 },
      problems: [],
    });
  });

  it("the same setting spelt twice: equal values pass, different values are a problem", () => {
    expect(normalizeConfigKeys({ n_ctx: 512, context_size: 512 }).problems).toEqual([]);
    expect(normalizeConfigKeys({ n_ctx: 512, contextSize: 1024 }).problems).toEqual([
      {
        key: "context_size",
        message: '"n_ctx" and "contextSize" both set context_size, to different values; give it once',
      },
    ]);
  });

  it("no alias points at another alias (one hop reaches the canonical key)", () => {
    for (const canonical of Object.values(CONFIG_KEY_ALIASES))
      expect(CONFIG_KEY_ALIASES).not.toHaveProperty(canonical);
  });

  it("llama.cpp: n_ctx, context_size and contextSize all reach the model's contextSize", () => {
    for (const key of ["n_ctx", "context_size", "contextSize"]) {
      expect(LlamaCppConfig.parse({ model_name_or_path: "m.gguf", [key]: 2048 }).contextSize).toBe(2048);
      expect(LlamaCppEmbedderConfig.parse({ modelPath: "m.gguf", [key]: 512 }).contextSize).toBe(512);
    }
    expect(LlamaCppConfig.parse({ model_path: "m.gguf", n_threads: 1, maxTokens: 9 })).toEqual({
      modelPath: "m.gguf",
      threads: 1,
      maxTokens: 9,
    });
  });

  it("ollama: num_ctx / context_size and host / api_base are one setting each", async () => {
    for (const config of [
      { model: "qwen3:0.6b", num_ctx: 8192, host: "127.0.0.1:11434" },
      { model_name_or_path: "qwen3:0.6b", context_size: 8192, api_base: "http://127.0.0.1:11434" },
    ]) {
      const llm = await createFromConfig<OllamaChatLanguageModel>("llm", { backend: "ollama", config });
      expect(llm.buildRequest([{ role: "user", content: "x" }]).options).toEqual({ num_ctx: 8192 });
    }
  });

  it("openai: api_base / base_url / baseURL and default_headers / headers are one setting each", async () => {
    for (const config of [
      { model_name_or_path: "m", api_base: "http://127.0.0.1:9/v1", default_headers: { "x-a": "1" } },
      { model: "m", base_url: "http://127.0.0.1:9/v1", headers: { "x-a": "1" } },
      { model: "m", baseURL: "http://127.0.0.1:9/v1", maxTokens: 5 },
    ]) {
      const llm = await createFromConfig<OpenAIChatLanguageModel>("llm", { backend: "vllm", config });
      expect(llm.modelId).toBe("m");
    }
    const error = await configError("llm", {
      backend: "vllm",
      config: { model: "m", api_base: "http://a/v1", base_url: "http://b/v1" },
    });
    expect(error.message).toMatch(/"api_base" and "base_url" both set api_base/);
  });
});

describe("configs that name what we do not implement", () => {
  it("an unknown backend → ConfigError whose hint lists the known ones", async () => {
    const error = await configError("llm", { backend: "anthropic", config: { model: "claude" } });
    expect(error.message).toMatch(/unknown llm backend "anthropic"/);
    expect(error.hint).toMatch(/known llm backends: .*llama-cpp.*ollama.*openai/);
  });

  it("an option the backend does not implement → ConfigError naming it and what is accepted", async () => {
    const error = await configError("llm", {
      backend: "llama-cpp",
      config: { model_name_or_path: "m.gguf", n_gpu_layers: 33 },
    });
    expect(error.message).toMatch(/unknown option "n_gpu_layers" \(accepted: .*context_size.*\)/);
    const glove = await configError("embedder", {
      backend: "glove",
      config: { model_name_or_path: "glove-300d" },
    });
    expect(glove.message).toMatch(/unknown option "model_name_or_path"/);
  });

  it("MemOS's inert keys are accepted: model_schema everywhere, top_k on OpenAI-compatible servers", async () => {
    const llm = await createFromConfig<LanguageModel>("llm", {
      backend: "openai",
      config: {
        model_name_or_path: "gpt-4o-mini",
        model_schema: "memos.configs.llm.OpenAILLMConfig",
        top_k: 50,
      },
    });
    expect(llm.modelId).toBe("gpt-4o-mini");
  });

  it("cosine reranker: uniform level_weights are a no-op and pass; any other weighting is refused", async () => {
    const reranker = await createFromConfig<Reranker>("reranker", {
      backend: "cosine_local",
      config: { level_weights: { topic: 1, concept: 1, fact: 1 }, level_field: "background" },
    });
    expect(reranker).toBeDefined();
    const error = await configError("reranker", {
      backend: "cosine_local",
      config: { level_weights: { topic: 1, fact: 0.5 } },
    });
    expect(error.message).toMatch(/non-uniform level weights are not implemented/);
  });
});
