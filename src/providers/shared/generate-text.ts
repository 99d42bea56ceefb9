/**
 * `generateText` / `streamText`: what applications call instead of a model's `do*` methods.
 *
 * @module
 */
import type {
  GenerateOptions,
  GenerateResult,
  LanguageModel,
  LLMMessage,
  TokenUsage,
} from "../../core/interfaces/language-model.js";

/**
 * Generate text with a model.
 *
 * @example
 * const { text } = await generateText(model, [{ role: "user", content: "Hello" }]);
 */
export function generateText(
  model: LanguageModel,
  messages: LLMMessage[],
  options?: GenerateOptions,
): Promise<GenerateResult> {
  return model.doGenerate(messages, options);
}

/**
 * Stream text deltas; `usage` resolves once the stream has finished (or failed, as undefined).
 * Nothing is requested until `textStream` is iterated, so await `usage` only after consuming it.
 *
 * @example
 * const s = streamText(model, messages);
 * for await (const delta of s.textStream) process.stdout.write(delta);
 */
export function streamText(model: LanguageModel, messages: LLMMessage[], options?: GenerateOptions) {
  let resolveUsage: (u: TokenUsage | undefined) => void = () => {};
  const usage = new Promise<TokenUsage | undefined>((r) => {
    resolveUsage = r;
  });
  async function* textStream(): AsyncGenerator<string> {
    let finished = false;
    try {
      for await (const part of model.doStream(messages, options)) {
        if (part.type === "text-delta") yield part.delta;
        else {
          finished = true;
          resolveUsage(part.usage);
        }
      }
    } finally {
      if (!finished) resolveUsage(undefined);
    }
  }
  return { textStream: textStream(), usage };
}
