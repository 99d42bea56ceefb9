/**
 * Model specs for environment variables and flags: `MEMOS_LLM=openai:gpt-4o-mini`,
 * `MEMOS_EMBEDDER=ollama:nomic-embed-text`, `MEMOS_LLM=llama-cpp:/models/qwen.gguf`.
 *
 * @module
 */
import { ConfigError } from "../../core/errors/config-error.js";

/** Backends a `MEMOS_LLM` spec may name. */
export const LLM_SPEC_PREFIXES = [
  "openai",
  "azure",
  "deepseek",
  "qwen",
  "dashscope",
  "vllm",
  "lmstudio",
  "huggingface",
  "ollama",
  "llama-cpp",
] as const;

/** Backends a `MEMOS_EMBEDDER` spec may name; "glove" needs no model ("glove" alone is a spec). */
export const EMBEDDER_SPEC_PREFIXES = [
  "glove",
  "openai",
  "azure",
  "qwen",
  "dashscope",
  "vllm",
  "lmstudio",
  "ollama",
  "llama-cpp",
  "transformers",
] as const;

const MODEL_OPTIONAL = new Set(["glove"]);

export interface ModelSpec {
  backend: string;
  /** Model id or path; everything after the first ":" (so "ollama:qwen2.5:7b" keeps its tag). */
  model: string;
}

/**
 * Split `backend:model`. Unknown backends, a missing model or a missing ":" raise a ConfigError
 * whose hint lists the accepted prefixes.
 *
 * @example
 * parseModelSpec("ollama:qwen2.5:7b");            // { backend: "ollama", model: "qwen2.5:7b" }
 * parseModelSpec("llama-cpp:/models/m.gguf");     // { backend: "llama-cpp", model: "/models/m.gguf" }
 * parseModelSpec("glove", "embedder");            // { backend: "glove", model: "" }
 */
export function parseModelSpec(spec: string, kind: "llm" | "embedder" = "llm"): ModelSpec {
  const prefixes: readonly string[] = kind === "llm" ? LLM_SPEC_PREFIXES : EMBEDDER_SPEC_PREFIXES;
  const variable = kind === "llm" ? "MEMOS_LLM" : "MEMOS_EMBEDDER";
  const example = kind === "llm" ? "openai:gpt-4o-mini" : "ollama:nomic-embed-text";
  const hint = `write ${variable} as <backend>:<model>, e.g. ${example}; backends: ${prefixes.join(", ")}`;
  const trimmed = spec.trim();
  const colon = trimmed.indexOf(":");
  const backend = (colon < 0 ? trimmed : trimmed.slice(0, colon)).toLowerCase();
  const model = colon < 0 ? "" : trimmed.slice(colon + 1).trim();
  if (!prefixes.includes(backend)) {
    throw new ConfigError({ message: `unknown ${kind} backend "${backend}" in "${spec}"`, hint });
  }
  if (!model && !MODEL_OPTIONAL.has(backend)) {
    throw new ConfigError({ message: `"${spec}" names no model`, hint });
  }
  return { backend, model };
}
