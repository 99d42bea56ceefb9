/** A message to a chat model. */
export interface LLMMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** A JSON Schema object (draft 2020-12 subset), as produced by `z.toJSONSchema`. */
export type JsonSchema = Record<string, unknown>;

/** Per-call generation settings: sampling, limits, structured output, abort and timeout. */
export interface GenerateOptions {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  /**
   * Ask for JSON. With a schema, backends that can constrain output do so (OpenAI
   * `response_format: json_schema`, Ollama `format`, llama.cpp grammar); others get `json` mode
   * or a prompt instruction. Callers still validate: see `generateObject`.
   */
  responseFormat?: { type: "text" } | { type: "json"; schema?: JsonSchema; name?: string };
  signal?: AbortSignal;
  /** Per-request timeout; ProviderError when exceeded. */
  timeoutMs?: number;
}

/** Tokens a call consumed, as the backend reports them. */
export interface TokenUsage {
  inputTokens?: number;
  /** Of `inputTokens`, how many a cache served (a restored KV state, a server's prefix cache). */
  cachedInputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
}

/** Why a model stopped generating. */
export type FinishReason = "stop" | "length" | "content-filter" | "error" | "other";

/** What a model returned for one call: text, usage and finish reason. */
export interface GenerateResult {
  text: string;
  usage?: TokenUsage;
  finishReason?: FinishReason;
}

/** One part of a streamed generation: a text delta, then a finish part. */
export type StreamPart =
  | { type: "text-delta"; delta: string }
  | { type: "finish"; usage?: TokenUsage; finishReason?: FinishReason };

/**
 * A chat model. Versioned like the Vercel AI SDK's specs; `do*` methods are for adapters and
 * library code — applications call `generateText` / `streamText` / `generateObject`.
 */
export interface LanguageModel {
  readonly specificationVersion: "v1";
  /** e.g. "openai", "ollama", "llama-cpp", "custom". */
  readonly provider: string;
  readonly modelId: string;
  /** How well the backend can force JSON: a schema (json-schema, grammar), any JSON, or not at all. */
  readonly structuredOutput: "json-schema" | "grammar" | "json" | "none";
  doGenerate(messages: LLMMessage[], options?: GenerateOptions): Promise<GenerateResult>;
  /** Text deltas as they arrive, then one `finish` part. */
  doStream(messages: LLMMessage[], options?: GenerateOptions): AsyncIterable<StreamPart>;
}
