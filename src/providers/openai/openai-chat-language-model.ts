/**
 * Chat model over any OpenAI-compatible `/chat/completions` endpoint (OpenAI, Azure, DeepSeek,
 * DashScope/Qwen, vLLM, LM Studio, the Hugging Face router).
 *
 * @module
 */
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
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
import { withSchemaInstruction } from "../shared/json-output.js";
import { timeoutError, withRetry } from "../shared/retry.js";
import { createThinkPrefixFilter, stripThinkPrefix } from "../shared/think-prefix.js";
import type { OpenAIConnection } from "./openai-client.js";
import { mapOpenAIError, type OpenAIErrorContext } from "./openai-errors.js";
import { responseFormatFor } from "./openai-response-format.js";

/** Per-model defaults (MemOS's temperature, max_tokens, ...); per-call options override them. */
export interface OpenAIChatSettings {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  /** Strip a leading `<think>…</think>` block from answers (MemOS `remove_think_prefix`). */
  removeThinkPrefix?: boolean;
  /**
   * Request field for `maxTokens`. Default: `max_completion_tokens` for OpenAI's reasoning models
   * (o1/o3/o4…, gpt-5…), which refuse `max_tokens`; `max_tokens` everywhere else, as compatible
   * servers expect.
   */
  maxTokensParam?: "max_tokens" | "max_completion_tokens";
  /** Extra request-body fields passed through as is (MemOS `extra_body`: vLLM's chat_template_kwargs, ...). */
  extraBody?: Record<string, unknown>;
  /** Override the preset's JSON capability (e.g. "json-schema" for a DashScope model that has it). */
  structuredOutput?: "json-schema" | "json";
}

type ChatBody = Omit<ChatCompletionCreateParamsBase, "stream" | "stream_options">;

function isReasoningModel(provider: string, modelId: string): boolean {
  return provider === "openai" && /^(o\d|gpt-5)/.test(modelId);
}

function mapFinishReason(reason: string | null | undefined): FinishReason | undefined {
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "content_filter":
      return "content-filter";
    case null:
    case undefined:
      return undefined;
    default:
      return "other";
  }
}

function mapUsage(
  usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null | undefined,
): TokenUsage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
  };
}

/** A language model on an OpenAI-compatible server. Made by `createOpenAI(...)(modelId)`. */
export class OpenAIChatLanguageModel implements LanguageModel {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  readonly structuredOutput: "json-schema" | "json";

  constructor(
    modelId: string,
    private readonly settings: OpenAIChatSettings,
    private readonly connection: OpenAIConnection,
  ) {
    this.modelId = modelId;
    this.provider = connection.provider;
    this.structuredOutput = settings.structuredOutput ?? connection.preset.structuredOutput;
  }

  private context(timeoutMs: number): OpenAIErrorContext {
    return {
      preset: this.connection.preset,
      provider: this.provider,
      modelId: this.modelId,
      baseURL: this.connection.baseURL(),
      timeoutMs,
    };
  }

  /** The request body (without `stream`), exposed for tests and debugging. */
  buildBody(messages: LLMMessage[], options: GenerateOptions = {}): ChatBody {
    const s = this.settings;
    const reasoning = isReasoningModel(this.provider, this.modelId);
    const maxTokens = options.maxTokens ?? s.maxTokens;
    const temperature = options.temperature ?? s.temperature;
    const topP = options.topP ?? s.topP;
    const stop = options.stop ?? s.stop;
    const seed = options.seed ?? s.seed;
    let prompt = messages;
    let responseFormat: ChatBody["response_format"];
    const format = options.responseFormat;
    if (format?.type === "json") {
      responseFormat = responseFormatFor(format, this.structuredOutput);
      // No JSON mode can carry this schema (non-object root): say it in the prompt instead,
      // unless generateObject already did (it does for models without json-schema support).
      if (!responseFormat && format.schema && this.structuredOutput === "json-schema") {
        prompt = withSchemaInstruction(messages, format.schema);
      }
    }
    const maxTokensParam = s.maxTokensParam ?? (reasoning ? "max_completion_tokens" : "max_tokens");
    return {
      ...s.extraBody,
      model: this.modelId,
      messages: prompt.map((m) => ({ role: m.role, content: m.content })),
      // Reasoning models reject sampling parameters other than the defaults.
      ...(temperature !== undefined && !reasoning ? { temperature } : {}),
      ...(topP !== undefined && !reasoning ? { top_p: topP } : {}),
      ...(maxTokens !== undefined ? { [maxTokensParam]: maxTokens } : {}),
      ...(stop?.length ? { stop } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(responseFormat ? { response_format: responseFormat } : {}),
    };
  }

  async doGenerate(messages: LLMMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    const body = this.buildBody(messages, options);
    const timeoutMs = options.timeoutMs ?? this.connection.timeoutMs;
    const completion = await withRetry(
      async (signal) => {
        const { client, module } = await this.connection.client();
        try {
          return await client.chat.completions.create(body, { signal });
        } catch (error) {
          throw mapOpenAIError(error, module, this.context(timeoutMs));
        }
      },
      { maxRetries: this.connection.maxRetries, timeoutMs, signal: options.signal, provider: this.provider },
    );
    const choice = completion.choices?.[0];
    if (!choice) {
      throw new ProviderError({
        message: `${this.provider}:${this.modelId} returned no choices`,
        provider: this.provider,
      });
    }
    const finishReason = mapFinishReason(choice.finish_reason);
    const raw = choice.message?.content ?? "";
    const text = this.settings.removeThinkPrefix ? stripThinkPrefix(raw) : raw;
    if (text.trim() === "") throw this.emptyAnswer(finishReason, choice.message?.refusal);
    return { text, usage: mapUsage(completion.usage), finishReason };
  }

  async *doStream(messages: LLMMessage[], options: GenerateOptions = {}): AsyncIterable<StreamPart> {
    const body = this.buildBody(messages, options);
    const timeoutMs = options.timeoutMs ?? this.connection.timeoutMs;
    // The attempt's signal (caller's + timeout) keeps governing the body after the stream opens.
    let live: AbortSignal | undefined;
    const opened = await withRetry(
      async (signal) => {
        live = signal;
        const { client, module } = await this.connection.client();
        try {
          const stream = await client.chat.completions.create(
            { ...body, stream: true, stream_options: { include_usage: true } },
            { signal },
          );
          return { stream, module };
        } catch (error) {
          throw mapOpenAIError(error, module, this.context(timeoutMs));
        }
      },
      { maxRetries: this.connection.maxRetries, timeoutMs, signal: options.signal, provider: this.provider },
    );
    const filter = this.settings.removeThinkPrefix ? createThinkPrefixFilter() : undefined;
    let usage: TokenUsage | undefined;
    let finishReason: FinishReason | undefined;
    let produced = false;
    try {
      for await (const chunk of opened.stream) {
        if (chunk.usage) usage = mapUsage(chunk.usage);
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        finishReason = mapFinishReason(choice.finish_reason) ?? finishReason;
        const delta = choice.delta?.content;
        if (!delta) continue;
        const out = filter ? filter.push(delta) : delta;
        if (out) {
          produced = true;
          yield { type: "text-delta", delta: out };
        }
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (live?.aborted && (live.reason as { name?: string } | undefined)?.name === "TimeoutError") {
        throw timeoutError(this.provider, timeoutMs, error);
      }
      throw mapOpenAIError(error, opened.module, this.context(timeoutMs));
    }
    const rest = filter?.flush();
    if (rest) {
      produced = true;
      yield { type: "text-delta", delta: rest };
    }
    if (!produced) throw this.emptyAnswer(finishReason, undefined);
    yield { type: "finish", usage, finishReason };
  }

  private emptyAnswer(
    finishReason: FinishReason | undefined,
    refusal: string | null | undefined,
  ): ProviderError {
    return new ProviderError({
      message: refusal
        ? `${this.provider}:${this.modelId} refused: ${refusal}`
        : `${this.provider}:${this.modelId} returned an empty answer (finish reason: ${finishReason ?? "none"})`,
      hint:
        finishReason === "length"
          ? "the token limit was reached before any answer (reasoning models think first): raise maxTokens"
          : undefined,
      provider: this.provider,
    });
  }
}
