/**
 * A language model from your own functions: wrap any client (a company gateway, a test stub)
 * without writing an adapter class.
 *
 * @module
 */

import { errorMessage } from "../../core/errors/error-message.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import type {
  GenerateOptions,
  GenerateResult,
  LanguageModel,
  LLMMessage,
  StreamPart,
  TokenUsage,
} from "../../core/interfaces/language-model.js";

/** Options of {@link createCustomLanguageModel}: your generate (and optional stream) function. */
export interface CustomLanguageModelOptions {
  /** Default "custom". */
  modelId?: string;
  /** Default "custom". */
  provider?: string;
  /**
   * What your function can do about `responseFormat`: "json-schema" if it enforces the schema it
   * is given, else "none" (default), and `generateObject` puts the schema in the prompt.
   */
  structuredOutput?: LanguageModel["structuredOutput"];
  generate: (
    messages: LLMMessage[],
    options: GenerateOptions,
  ) => Promise<string | { text: string; usage?: TokenUsage }>;
  /** Text deltas; without it, `doStream` yields `generate`'s whole answer as one delta. */
  stream?: (messages: LLMMessage[], options: GenerateOptions) => AsyncIterable<string>;
}

/** Our errors pass through; anything else thrown by user code becomes a ProviderError. */
function wrap(error: unknown, provider: string): unknown {
  if (MemosError.isInstance(error)) return error;
  if ((error as { name?: unknown } | null)?.name === "AbortError") return error;
  const message = errorMessage(error);
  return new ProviderError({ message: `${provider} model failed: ${message}`, provider, cause: error });
}

class CustomLanguageModel implements LanguageModel {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  readonly structuredOutput: LanguageModel["structuredOutput"];

  constructor(private readonly options: CustomLanguageModelOptions) {
    this.provider = options.provider ?? "custom";
    this.modelId = options.modelId ?? "custom";
    this.structuredOutput = options.structuredOutput ?? "none";
  }

  async doGenerate(messages: LLMMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    // User functions may ignore the signal; the wrapper honours it.
    options.signal?.throwIfAborted();
    let answer: string | { text: string; usage?: TokenUsage };
    try {
      answer = await this.options.generate(messages, options);
    } catch (error) {
      throw wrap(error, this.provider);
    }
    const result = typeof answer === "string" ? { text: answer } : answer;
    if (typeof result?.text !== "string" || result.text.trim() === "") {
      throw new ProviderError({
        message: `${this.provider}:${this.modelId} returned an empty answer`,
        provider: this.provider,
      });
    }
    return { text: result.text, usage: result.usage, finishReason: "stop" };
  }

  async *doStream(messages: LLMMessage[], options: GenerateOptions = {}): AsyncIterable<StreamPart> {
    if (!this.options.stream) {
      const { text, usage } = await this.doGenerate(messages, options);
      yield { type: "text-delta", delta: text };
      yield { type: "finish", usage, finishReason: "stop" };
      return;
    }
    let produced = false;
    options.signal?.throwIfAborted();
    try {
      for await (const delta of this.options.stream(messages, options)) {
        options.signal?.throwIfAborted();
        if (!delta) continue;
        produced = true;
        yield { type: "text-delta", delta };
      }
    } catch (error) {
      throw wrap(error, this.provider);
    }
    if (!produced) {
      throw new ProviderError({
        message: `${this.provider}:${this.modelId} streamed an empty answer`,
        provider: this.provider,
      });
    }
    yield { type: "finish", finishReason: "stop" };
  }
}

/**
 * Make a language model from a `generate` function (and optionally a `stream` function).
 *
 * @example
 * const model = createCustomLanguageModel({
 *   modelId: "gateway-gpt",
 *   generate: async (messages) => (await myGateway.complete(messages)).text,
 * });
 */
export function createCustomLanguageModel(options: CustomLanguageModelOptions): LanguageModel {
  return new CustomLanguageModel(options);
}
