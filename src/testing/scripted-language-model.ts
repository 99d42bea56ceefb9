/**
 * A deterministic language model for tests: replies come from rules, not weights. Later suites
 * (tree memory, chat, the scheduler) use it to drive LLM-dependent code without a server.
 *
 * @module
 */
import { ProviderError } from "../core/errors/provider-error.js";
import type {
  GenerateOptions,
  GenerateResult,
  LanguageModel,
  LLMMessage,
  StreamPart,
  TokenUsage,
} from "../core/interfaces/language-model.js";

/**
 * When a rule applies. A string (substring) or RegExp is tested against the content of the
 * last `user` message (the last message if there is none): the question in a chat, the filled-in
 * template in an extraction prompt. A function sees every message (e.g. to look at the system prompt).
 */
export type ScriptedMatch = string | RegExp | ((messages: LLMMessage[]) => boolean);

/** What to answer: text, a value to send as JSON, or a function of the messages returning either. */
export type ScriptedReply = string | object | ((messages: LLMMessage[]) => string | object);

/** When `match` fits the messages, answer with `reply`. */
export interface ScriptedRule {
  match: ScriptedMatch;
  reply: ScriptedReply;
}

/** One call the model received, for assertions. */
export interface ScriptedCall {
  method: "generate" | "stream";
  messages: LLMMessage[];
  options: GenerateOptions;
  /** Index of the rule that answered; undefined when none matched. */
  rule?: number;
  reply?: string;
}

/** A scripted model: a {@link LanguageModel} that also records its calls. */
export interface ScriptedLanguageModel extends LanguageModel {
  /** Every call so far, oldest first. */
  readonly calls: ScriptedCall[];
}

/** Identity and structured-output capability of a scripted model. */
export interface ScriptedLanguageModelOptions {
  modelId?: string;
  /** Default "json-schema", so generateObject sends the prompt unchanged (no schema instruction). */
  structuredOutput?: LanguageModel["structuredOutput"];
}

function lastUserContent(messages: LLMMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === "user") return messages[i]?.content ?? "";
  }
  return messages[messages.length - 1]?.content ?? "";
}

function matches(match: ScriptedMatch, messages: LLMMessage[]): boolean {
  if (typeof match === "function") return match(messages);
  const target = lastUserContent(messages);
  if (typeof match === "string") return target.includes(match);
  match.lastIndex = 0; // a /g or /y RegExp keeps state between tests
  return match.test(target);
}

function render(reply: ScriptedReply, messages: LLMMessage[]): string {
  const value = typeof reply === "function" ? reply(messages) : reply;
  return typeof value === "string" ? value : JSON.stringify(value);
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

class ScriptedModel implements ScriptedLanguageModel {
  readonly specificationVersion = "v1" as const;
  readonly provider = "scripted";
  readonly modelId: string;
  readonly structuredOutput: LanguageModel["structuredOutput"];
  readonly calls: ScriptedCall[] = [];

  constructor(
    private readonly rules: ScriptedRule[],
    options: ScriptedLanguageModelOptions,
  ) {
    this.modelId = options.modelId ?? "scripted";
    this.structuredOutput = options.structuredOutput ?? "json-schema";
  }

  private answer(
    method: ScriptedCall["method"],
    messages: LLMMessage[],
    options: GenerateOptions,
  ): GenerateResult {
    options.signal?.throwIfAborted();
    const call: ScriptedCall = { method, messages: messages.map((m) => ({ ...m })), options };
    this.calls.push(call);
    const rule = this.rules.findIndex((r) => matches(r.match, messages));
    const found = this.rules[rule];
    if (!found) {
      const last = lastUserContent(messages);
      throw new ProviderError({
        message: `scripted model: no rule matches the last user message ${JSON.stringify(last.length > 200 ? `${last.slice(0, 200)}…` : last)}`,
        hint: "add a rule for it to createScriptedLanguageModel([...])",
        provider: this.provider,
      });
    }
    const text = render(found.reply, messages);
    call.rule = rule;
    call.reply = text;
    if (text.trim() === "") {
      throw new ProviderError({
        message: `scripted model: rule ${rule} replied with an empty answer`,
        provider: this.provider,
      });
    }
    const input = messages.reduce((n, m) => n + words(m.content), 0);
    const usage: TokenUsage = {
      inputTokens: input,
      outputTokens: words(text),
      totalTokens: input + words(text),
    };
    return { text, usage, finishReason: "stop" };
  }

  async doGenerate(messages: LLMMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    return this.answer("generate", messages, options);
  }

  async *doStream(messages: LLMMessage[], options: GenerateOptions = {}): AsyncIterable<StreamPart> {
    const { text, usage } = this.answer("stream", messages, options);
    // Word by word (each piece keeps its trailing whitespace), so consumers see several deltas.
    for (const delta of text.split(/(?<=\s)(?=\S)/)) yield { type: "text-delta", delta };
    yield { type: "finish", usage, finishReason: "stop" };
  }
}

/**
 * A deterministic test double: the first rule whose `match` fits answers; no match raises a
 * ProviderError quoting the last user message. Calls are recorded in `.calls`.
 *
 * @example
 * const model = createScriptedLanguageModel([
 *   { match: /where do I live/i, reply: "You live in Lisbon [1:mem-1]." },
 *   { match: "Extract", reply: { memories: [{ key: "home", value: "Lisbon" }] } }, // sent as JSON
 *   { match: (msgs) => msgs[0]?.role === "system", reply: (msgs) => `echo: ${msgs.at(-1)?.content}` },
 * ]);
 * await generateText(model, [{ role: "user", content: "Where do I live?" }]);
 * expect(model.calls).toHaveLength(1);
 */
export function createScriptedLanguageModel(
  rules: ScriptedRule[],
  options: ScriptedLanguageModelOptions = {},
): ScriptedLanguageModel {
  return new ScriptedModel(rules, options);
}
