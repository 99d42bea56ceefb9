import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors/config-error.js";
import { parseModelSpec } from "./model-spec.js";

describe("parseModelSpec", () => {
  it("splits backend:model at the first colon", () => {
    expect(parseModelSpec("openai:gpt-4o-mini")).toEqual({ backend: "openai", model: "gpt-4o-mini" });
    expect(parseModelSpec("ollama:qwen2.5")).toEqual({ backend: "ollama", model: "qwen2.5" });
    expect(parseModelSpec("ollama:qwen2.5:7b")).toEqual({ backend: "ollama", model: "qwen2.5:7b" });
    expect(parseModelSpec("deepseek:deepseek-chat")).toEqual({ backend: "deepseek", model: "deepseek-chat" });
    expect(parseModelSpec("llama-cpp:/path/model.gguf")).toEqual({
      backend: "llama-cpp",
      model: "/path/model.gguf",
    });
    expect(parseModelSpec(" OpenAI:gpt-4o ")).toEqual({ backend: "openai", model: "gpt-4o" });
  });

  it("embedder specs: glove needs no model", () => {
    expect(parseModelSpec("glove", "embedder")).toEqual({ backend: "glove", model: "" });
    expect(parseModelSpec("transformers:Xenova/all-MiniLM-L6-v2", "embedder")).toEqual({
      backend: "transformers",
      model: "Xenova/all-MiniLM-L6-v2",
    });
  });

  it("bad specs → ConfigError whose hint lists the prefixes", () => {
    for (const bad of ["gpt-4o", "openai:", "bogus:model", "", "http://localhost:8000"]) {
      let error: unknown;
      try {
        parseModelSpec(bad);
      } catch (e) {
        error = e;
      }
      expect(ConfigError.isInstance(error), bad).toBe(true);
      expect((error as ConfigError).hint).toMatch(
        /MEMOS_LLM as <backend>:<model>.*openai, azure, deepseek.*ollama, llama-cpp/,
      );
    }
    expect(() => parseModelSpec("glove", "llm")).toThrow(ConfigError);
    try {
      parseModelSpec("deepseek:x", "embedder");
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).hint).toMatch(
        /MEMOS_EMBEDDER as <backend>:<model>, e.g. ollama:nomic-embed-text/,
      );
    }
  });
});
