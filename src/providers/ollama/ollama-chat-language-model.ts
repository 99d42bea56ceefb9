/**
 * Chat model on an Ollama server (`/api/chat`), through the `ollama` package.
 *
 * @module
 */
import type { ChatRequest, ChatResponse, Options } from "ollama";
import { ProviderError } from "../../core/errors/provider-error.js";
import type {
  FinishReason,
  GenerateOptions,
  GenerateResult,
  LanguageModel,
  LLMMessage,
  StreamPart,
  TokenUsage,
} from "../../core/interfaces/language-model.js";
import { timeoutError, withRetry, withRetryAfter } from "../shared/retry.js";
import { createThinkPrefixFilter, stripThinkPrefix } from "../shared/think-prefix.js";
import type { OllamaConnection } from "./ollama-client.js";
import { mapOllamaError } from "./ollama-errors.js";

/** Per-model defaults (MemOS's temperature, max_tokens, top_k, ...); per-call options override them. */
export interface OllamaChatSettings {
  temperature?: number;
  /** Sent as `num_predict`. */
  maxTokens?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  /** Context window (`num_ctx`); Ollama's default is small (2048–4096), memory prompts can be long. */
  numCtx?: number;
  /** Strip a leading `<think>…</think>` block from answers (MemOS `remove_think_prefix`). */
  removeThinkPrefix?: boolean;
  /**
   * Thinking models: `false` turns thinking off (faster), `true` keeps it out of the answer
   * (Ollama returns it separately; we drop it). Unset: the server's default. (MemOS `enable_thinking`.)
   */
  think?: boolean;
  /** How long the server keeps the model loaded after the request, e.g. "5m" or -1. */
  keepAlive?: string | number;
  /** Any other Ollama runtime options, passed through (e.g. `{repeat_penalty: 1.1}`). */
  options?: Partial<Options>;
}

function mapFinishReason(reason: string | undefined): FinishReason | undefined {
  if (!reason) return undefined;
  if (reason === "stop") return "stop";
  if (reason === "length") return "length";
  return "other";
}

function mapUsage(r: Pick<ChatResponse, "prompt_eval_count" | "eval_count">): TokenUsage | undefined {
  const input = typeof r.prompt_eval_count === "number" ? r.prompt_eval_count : undefined;
  const output = typeof r.eval_count === "number" ? r.eval_count : undefined;
  if (input === undefined && output === undefined) return undefined;
  return { inputTokens: input, outputTokens: output, totalTokens: (input ?? 0) + (output ?? 0) };
}

/** A language model on Ollama. Made by `createOllama(...)(model)`. */
export class OllamaChatLanguageModel implements LanguageModel {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  /** Ollama turns `format: <JSON schema>` into a grammar: output is constrained to the schema. */
  readonly structuredOutput = "json-schema" as const;

  constructor(
    modelId: string,
    private readonly settings: OllamaChatSettings,
    private readonly connection: OllamaConnection,
  ) {
    this.modelId = modelId;
    this.provider = connection.provider;
  }

  /** The request (without `stream`), exposed for tests and debugging. */
  buildRequest(messages: LLMMessage[], options: GenerateOptions = {}): Omit<ChatRequest, "stream"> {
    const s = this.settings;
    const runtime: Partial<Options> = { ...s.options };
    const set = <K extends keyof Options>(key: K, value: Options[K] | undefined) => {
      if (value !== undefined) runtime[key] = value;
    };
    set("temperature", options.temperature ?? s.temperature);
    set("top_p", options.topP ?? s.topP);
    set("top_k", s.topK);
    set("num_predict", options.maxTokens ?? s.maxTokens);
    set("seed", options.seed ?? s.seed);
    set("num_ctx", s.numCtx);
    const stop = options.stop ?? s.stop;
    if (stop?.length) runtime.stop = stop;
    const format = options.responseFormat;
    let jsonFormat: string | object | undefined;
    if (format?.type === "json") {
      if (format.schema) {
        const { $schema: _drop, ...schema } = format.schema;
        jsonFormat = schema;
      } else {
        jsonFormat = "json";
      }
    }
    return {
      model: this.modelId,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      ...(jsonFormat !== undefined ? { format: jsonFormat } : {}),
      ...(Object.keys(runtime).length ? { options: runtime } : {}),
      ...(s.think !== undefined ? { think: s.think } : {}),
      ...(s.keepAlive !== undefined ? { keep_alive: s.keepAlive } : {}),
    };
  }

  private context() {
    return { provider: this.provider, modelId: this.modelId, host: this.connection.host() };
  }

  async doGenerate(messages: LLMMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    const request = this.buildRequest(messages, options);
    const timeoutMs = options.timeoutMs ?? this.connection.timeoutMs;
    const response = await withRetry(
      async (signal) => {
        const { client, retryAfter } = await this.connection.client(signal);
        try {
          return await client.chat({ ...request, stream: false });
        } catch (error) {
          throw withRetryAfter(mapOllamaError(error, this.context()) as object, retryAfter());
        }
      },
      { maxRetries: this.connection.maxRetries, timeoutMs, signal: options.signal, provider: this.provider },
    );
    const finishReason = mapFinishReason(response.done_reason);
    const raw = response.message?.content ?? "";
    const text = this.settings.removeThinkPrefix ? stripThinkPrefix(raw) : raw;
    if (text.trim() === "") throw this.emptyAnswer(finishReason);
    return { text, usage: mapUsage(response), finishReason };
  }

  async *doStream(messages: LLMMessage[], options: GenerateOptions = {}): AsyncIterable<StreamPart> {
    const request = this.buildRequest(messages, options);
    const timeoutMs = options.timeoutMs ?? this.connection.timeoutMs;
    let live: AbortSignal | undefined;
    const stream = await withRetry(
      async (signal) => {
        live = signal;
        const { client, retryAfter } = await this.connection.client(signal);
        try {
          return await client.chat({ ...request, stream: true });
        } catch (error) {
          throw withRetryAfter(mapOllamaError(error, this.context()) as object, retryAfter());
        }
      },
      { maxRetries: this.connection.maxRetries, timeoutMs, signal: options.signal, provider: this.provider },
    );
    const filter = this.settings.removeThinkPrefix ? createThinkPrefixFilter() : undefined;
    let usage: TokenUsage | undefined;
    let finishReason: FinishReason | undefined;
    let produced = false;
    let done = false;
    try {
      for await (const part of stream) {
        const delta = part.message?.content;
        if (delta) {
          const out = filter ? filter.push(delta) : delta;
          if (out) {
            produced = true;
            yield { type: "text-delta", delta: out };
          }
        }
        if (part.done) {
          done = true;
          usage = mapUsage(part);
          finishReason = mapFinishReason(part.done_reason);
        }
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (live?.aborted && (live.reason as { name?: string } | undefined)?.name === "TimeoutError") {
        throw timeoutError(this.provider, timeoutMs, error);
      }
      throw mapOllamaError(error, this.context());
    } finally {
      // A consumer that stops early must not leave the model generating into a dead socket.
      if (!done) stream.abort();
    }
    const rest = filter?.flush();
    if (rest) {
      produced = true;
      yield { type: "text-delta", delta: rest };
    }
    if (!produced) throw this.emptyAnswer(finishReason);
    yield { type: "finish", usage, finishReason };
  }

  private emptyAnswer(finishReason: FinishReason | undefined): ProviderError {
    return new ProviderError({
      message: `${this.provider}:${this.modelId} returned an empty answer (finish reason: ${finishReason ?? "none"})`,
      hint:
        finishReason === "length"
          ? "the token limit was reached before any answer: raise maxTokens (num_predict)"
          : undefined,
      provider: this.provider,
    });
  }
}
