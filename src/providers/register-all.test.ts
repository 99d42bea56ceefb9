import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createFromConfig, listBackends } from "../core/backend-registry.js";
import { ConfigError } from "../core/errors/index.js";
import type { Embedder } from "../core/interfaces/embedder.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import { OllamaChatLanguageModel } from "./ollama/index.js";
import { OpenAIChatLanguageModel } from "./openai/index.js";
import "./register-all.js";

/** MemOS's own example configs (copied from MemOS's examples): the field names we must accept. */
const memosConfig = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../test/fixtures/memos-configs/${name}`, import.meta.url), "utf8"),
  ) as Record<string, { backend: string; config: Record<string, unknown> }>;

describe("registry entries", () => {
  it("registers the remote llm, embedder backends", () => {
    expect(listBackends("llm")).toEqual(
      expect.arrayContaining([
        "openai",
        "azure",
        "deepseek",
        "qwen",
        "dashscope",
        "vllm",
        "lmstudio",
        "huggingface",
        "ollama",
      ]),
    );
    expect(listBackends("embedder")).toEqual(expect.arrayContaining(["openai", "ollama", "universal_api"]));
  });

  it("openai-compatible: MemOS field names map to the model and its settings", async () => {
    const model = await createFromConfig<OpenAIChatLanguageModel>("llm", {
      backend: "deepseek",
      config: {
        model_name_or_path: "deepseek-chat",
        api_key: "sk-x",
        temperature: 0.1,
        max_tokens: 512,
        top_p: 0.9,
        top_k: 50,
      },
    });
    expect(model).toBeInstanceOf(OpenAIChatLanguageModel);
    expect(model).toMatchObject({ provider: "deepseek", modelId: "deepseek-chat", structuredOutput: "json" });
    expect(model.buildBody([{ role: "user", content: "hi" }])).toEqual({
      model: "deepseek-chat",
      messages: [{ role: "user", content: "hi" }],
      temperature: 0.1,
      top_p: 0.9,
      max_tokens: 512,
    });
  });

  it("huggingface: simple_memos_config's chat_model resolves to the HF router (needs HF_TOKEN)", async () => {
    const chat = memosConfig("simple_memos_config.json").chat_model;
    const model = await createFromConfig<OpenAIChatLanguageModel>("llm", chat);
    expect(model).toMatchObject({ provider: "huggingface", modelId: "Qwen/Qwen3-1.7B" });
  });

  it("ollama: MemOS's tree_config extractor_llm and embedder load as they are", async () => {
    const config = memosConfig("tree_config.json");
    const llm = await createFromConfig<OllamaChatLanguageModel>("llm", config.extractor_llm);
    expect(llm).toBeInstanceOf(OllamaChatLanguageModel);
    expect(llm.modelId).toBe("qwen3:0.6b");
    expect(llm.buildRequest([{ role: "user", content: "x" }]).options).toEqual({
      temperature: 0,
      num_predict: 8192,
    });
    const embedder = await createFromConfig<Embedder>("embedder", config.embedder);
    expect(embedder).toMatchObject({
      provider: "ollama",
      modelId: "nomic-embed-text:latest",
      dimensions: 768,
    });
  });

  it("universal_api embedder with provider + embedding_dims", async () => {
    const embedder = await createFromConfig<Embedder>("embedder", {
      backend: "universal_api",
      config: {
        provider: "openai",
        api_key: "k",
        base_url: "http://127.0.0.1:9/v1",
        model_name_or_path: "bge-m3",
        embedding_dims: 1024,
      },
    });
    expect(embedder).toMatchObject({ provider: "openai", modelId: "bge-m3", dimensions: 1024 });
  });

  it("a config without a model → ConfigError naming model_name_or_path", async () => {
    const error = await createFromConfig<LanguageModel>("llm", {
      backend: "openai",
      config: { api_key: "k" },
    }).catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).message).toMatch(/model_name_or_path/);
  });
});
