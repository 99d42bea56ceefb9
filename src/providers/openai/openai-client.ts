/**
 * Settings shared by the OpenAI-compatible chat model and embedder, and the lazily created
 * client. The `openai` package is imported on first use (it is optional for the library), with
 * its own retries off: {@link withRetry} governs retries for every provider alike.
 *
 * @module
 */
import type * as OpenAIModule from "openai";
import { AuthenticationError } from "../../core/errors/authentication-error.js";
import { ConfigError } from "../../core/errors/config-error.js";
import { importOptional } from "../shared/lazy.js";
import {
  OPENAI_PRESETS,
  type OpenAIPreset,
  type OpenAIPresetName,
  resolvePresetName,
} from "./openai-presets.js";

export type { OpenAIModule };
export type OpenAIClient = OpenAIModule.OpenAI;

/** Options of {@link createOpenAI}; every field is optional and falls back to the preset / env. */
export interface OpenAIProviderOptions {
  /** Default: the preset's environment variable (OPENAI_API_KEY, DEEPSEEK_API_KEY, ...), read on first use. */
  apiKey?: string;
  /**
   * Default: the preset's URL (OPENAI_BASE_URL overrides it for "openai"). For "azure": the
   * resource endpoint (`https://<resource>.openai.azure.com`, default AZURE_OPENAI_ENDPOINT),
   * or a full `.../openai` base URL.
   */
  baseURL?: string;
  organization?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Which OpenAI-compatible server: "openai" (default), "azure", "deepseek", "qwen" ("dashscope"), "vllm", "lmstudio", "huggingface" ("hf"). */
  preset?: OpenAIPresetName | "dashscope" | "hf" | "azure-openai";
  /** Azure only: API version (default OPENAI_API_VERSION, else "2024-10-21"). */
  apiVersion?: string;
  /** Custom fetch (proxies, tests). */
  fetch?: typeof globalThis.fetch;
  /** Per-request timeout; default 600 000 ms (the OpenAI client's own default). */
  timeoutMs?: number;
  /** Retries of retryable failures (429, 5xx, connection resets, timeouts); default 2. */
  maxRetries?: number;
  /** Provider name on models and errors; default the preset name. */
  name?: string;
}

export const DEFAULT_TIMEOUT_MS = 600_000;
export const DEFAULT_AZURE_API_VERSION = "2024-10-21";

/** Resolved settings: what the model classes need besides the lazily made client. */
export interface OpenAIConnection {
  readonly preset: OpenAIPreset;
  readonly provider: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** Base URL for messages (resolved lazily, like the key). */
  baseURL(): string;
  /** The client, created on first call; a missing key or endpoint fails here, not at construction. */
  client(): Promise<{ client: OpenAIClient; module: typeof OpenAIModule }>;
}

function env(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const value = process.env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * Resolve options into a connection. Nothing is read from the environment and nothing is
 * imported until the first request, so a config naming a cloud model can be loaded without a key.
 */
export function createOpenAIConnection(options: OpenAIProviderOptions = {}): OpenAIConnection {
  const presetName = resolvePresetName(options.preset ?? "openai");
  if (!presetName) {
    throw new ConfigError({
      message: `unknown OpenAI-compatible preset "${options.preset}"`,
      hint: `use one of: ${Object.keys(OPENAI_PRESETS).join(", ")}`,
    });
  }
  const preset = OPENAI_PRESETS[presetName];
  const provider = options.name ?? preset.name;
  const baseURL = () =>
    options.baseURL ??
    (preset.name === "azure" ? env("AZURE_OPENAI_ENDPOINT") : undefined) ??
    env(preset.baseURLEnv) ??
    preset.baseURL ??
    "";
  let pending: Promise<{ client: OpenAIClient; module: typeof OpenAIModule }> | undefined;

  const make = async () => {
    const apiKey = options.apiKey ?? env(preset.apiKeyEnv) ?? preset.placeholderKey;
    if (!apiKey) {
      throw new AuthenticationError({
        message: `no API key for ${provider}`,
        hint: `set ${preset.apiKeyEnv ?? "OPENAI_API_KEY"} (or pass apiKey); keys: ${preset.docs}`,
        provider,
      });
    }
    const module = await importOptional<typeof OpenAIModule>("openai", `the ${provider} backend`);
    const common = {
      apiKey,
      // The client would read OPENAI_ORG_ID itself; only OpenAI should get that header.
      organization:
        options.organization ?? (preset.name === "openai" ? (env("OPENAI_ORG_ID") ?? null) : null),
      defaultHeaders: { ...preset.defaultHeaders, ...options.headers },
      // withRetry owns retries; the client's timeout is a backstop behind our per-attempt signal.
      maxRetries: 0,
      timeout: (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 1000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    };
    if (preset.name === "azure") {
      const url = baseURL();
      if (!url) {
        throw new ConfigError({
          message: "Azure OpenAI needs the resource endpoint",
          hint: "set AZURE_OPENAI_ENDPOINT=https://<resource>.openai.azure.com (or pass baseURL); the model id is your deployment name",
        });
      }
      const apiVersion = options.apiVersion ?? env("OPENAI_API_VERSION") ?? DEFAULT_AZURE_API_VERSION;
      // A URL that already ends in /openai[/...] is a base URL; a bare resource URL gets "/openai"
      // appended. Always passing baseURL (never `endpoint`) keeps AzureOpenAI from also reading
      // OPENAI_BASE_URL, which it would reject as "mutually exclusive" with an endpoint.
      let pathname: string;
      try {
        pathname = new URL(url).pathname;
      } catch {
        throw new ConfigError({
          message: `invalid Azure OpenAI endpoint "${url}"`,
          hint: "e.g. https://<resource>.openai.azure.com",
        });
      }
      const base = /\/openai(\/|$)/.test(pathname) ? url : `${url.replace(/\/+$/, "")}/openai`;
      return { client: new module.AzureOpenAI({ ...common, baseURL: base, apiVersion }), module };
    }
    return { client: new module.OpenAI({ ...common, baseURL: baseURL() }), module };
  };

  return {
    preset,
    provider,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? 2,
    baseURL,
    client() {
      // A failed creation (missing key) is not cached: the user may set the key and retry.
      pending ??= make().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
  };
}
