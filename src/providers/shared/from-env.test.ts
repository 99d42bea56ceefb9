import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors/config-error.js";
import { embedderConfigFromEnv, languageModelFromEnv, llmConfigFromEnv } from "./from-env.js";

describe("model choice from the environment", () => {
  it("reads MEMOS_LLM and MEMOS_EMBEDDER specs", () => {
    expect(llmConfigFromEnv({ MEMOS_LLM: "openai:gpt-4o-mini" })).toEqual({
      backend: "openai",
      config: { model_name_or_path: "gpt-4o-mini" },
    });
    expect(llmConfigFromEnv({ MEMOS_LLM: "ollama:qwen2.5:7b" })?.config).toEqual({
      model_name_or_path: "qwen2.5:7b",
    });
    expect(llmConfigFromEnv({ MEMOS_LLM: "llama-cpp:/m/x.gguf" })?.backend).toBe("llama-cpp");
    expect(llmConfigFromEnv({})).toBeUndefined();
    expect(embedderConfigFromEnv({ MEMOS_EMBEDDER: "glove" })).toEqual({ backend: "glove", config: {} });
    expect(embedderConfigFromEnv({ MEMOS_EMBEDDER: "vllm:bge-m3" })).toEqual({
      backend: "openai",
      config: { model_name_or_path: "bge-m3", preset: "vllm" },
    });
  });

  it("rejects a malformed spec with a ConfigError naming the accepted backends", () => {
    expect(() => llmConfigFromEnv({ MEMOS_LLM: "gpt4" })).toThrow(ConfigError);
    expect(() => llmConfigFromEnv({ MEMOS_LLM: "openai:" })).toThrow(/names no model/);
  });

  it("builds a working model through the registry", async () => {
    const model = await languageModelFromEnv({ MEMOS_LLM: "openai:gpt-4o-mini" });
    expect(model?.provider).toContain("openai");
    expect(model?.modelId).toBe("gpt-4o-mini");
  });
});
