import { z } from "zod";
import { LLMOutputError } from "../../core/errors/llm-output-error.js";
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

export interface GenerateObjectResult<T> {
  object: T;
  text: string;
  usage?: TokenUsage;
  /** 0 when the first answer was valid, 1 when the repair retry was needed. */
  repairs: number;
}

/**
 * Ask for JSON matching a zod schema. The schema is sent as JSON Schema (constrained decoding
 * where the backend has it), the answer is parsed leniently (code fences, leading prose) and
 * validated; on failure the model gets one repair turn with the validation error; then an
 * `LLMOutputError` carrying the raw text. Never an empty result.
 *
 * @example
 * const { object } = await generateObject(model, messages, z.object({ label: z.enum(["a", "b"]) }));
 */
export async function generateObject<S extends z.ZodType>(
  model: LanguageModel,
  messages: LLMMessage[],
  schema: S,
  options: GenerateOptions & { schemaName?: string } = {},
): Promise<GenerateObjectResult<z.output<S>>> {
  const jsonSchema = z.toJSONSchema(schema, { target: "draft-2020-12", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  const { schemaName, ...rest } = options;
  const callOptions: GenerateOptions = {
    ...rest,
    responseFormat: { type: "json", schema: jsonSchema, name: schemaName ?? "output" },
  };
  // Backends that cannot constrain output still need to be told the shape.
  const prompt =
    model.structuredOutput === "json-schema" || model.structuredOutput === "grammar"
      ? messages
      : withSchemaInstruction(messages, jsonSchema);
  const first = await model.doGenerate(prompt, callOptions);
  const firstCheck = check(first.text, schema);
  if (firstCheck.ok) return { object: firstCheck.value, text: first.text, usage: first.usage, repairs: 0 };

  const repairPrompt: LLMMessage[] = [
    ...prompt,
    { role: "assistant", content: first.text },
    {
      role: "user",
      content: `That answer was not valid: ${firstCheck.error}. Reply again with only a JSON value that matches this JSON Schema:\n${JSON.stringify(jsonSchema)}`,
    },
  ];
  const second = await model.doGenerate(repairPrompt, callOptions);
  const secondCheck = check(second.text, schema);
  if (secondCheck.ok) {
    return {
      object: secondCheck.value,
      text: second.text,
      usage: sumUsage(first.usage, second.usage),
      repairs: 1,
    };
  }
  throw new LLMOutputError({
    message: `${model.provider}:${model.modelId} did not return valid JSON for the schema (${secondCheck.error})`,
    text: second.text,
    hint: "use a model or backend with structured output (JSON schema / grammar), or a larger model",
  });
}

/**
 * Tell a model that cannot constrain its output which JSON shape to answer with: the instruction
 * is appended to the system message (or becomes one). Adapters use it too, for schemas their
 * server cannot enforce (e.g. OpenAI's json_schema needs an object at the root).
 */
export function withSchemaInstruction(messages: LLMMessage[], schema: Record<string, unknown>): LLMMessage[] {
  const instruction = `Answer with only a JSON value (no prose, no code fences) matching this JSON Schema:\n${JSON.stringify(schema)}`;
  const [first, ...rest] = messages;
  if (first?.role === "system")
    return [{ role: "system", content: `${first.content}\n\n${instruction}` }, ...rest];
  return [{ role: "system", content: instruction }, ...messages];
}

type Check<T> = { ok: true; value: T } | { ok: false; error: string };

function check<S extends z.ZodType>(text: string, schema: S): Check<z.output<S>> {
  const json = extractJson(text);
  if (json === undefined) return { ok: false, error: "no JSON value found in the answer" };
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    error: `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "does not match the schema"}`,
  };
}

/** The JSON value in a model's answer: the whole text, a fenced block, or the first {...}/[...] span. */
export function extractJson(raw: string): unknown {
  // Reasoning models (qwen3, deepseek-r1) may open with a <think> block full of stray braces.
  const text = stripThinkPrefix(raw);
  const attempts = [text.trim()];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fenced?.[1]) attempts.push(fenced[1].trim());
  const start = text.search(/[[{]/);
  if (start >= 0) {
    const open = text[start] as "{" | "[";
    const end = text.lastIndexOf(open === "{" ? "}" : "]");
    if (end > start) attempts.push(text.slice(start, end + 1));
  }
  for (const a of attempts) {
    try {
      return JSON.parse(a);
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

function sumUsage(a?: TokenUsage, b?: TokenUsage): TokenUsage | undefined {
  if (!a && !b) return undefined;
  const add = (x?: number, y?: number) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  return {
    inputTokens: add(a?.inputTokens, b?.inputTokens),
    outputTokens: add(a?.outputTokens, b?.outputTokens),
    totalTokens: add(a?.totalTokens, b?.totalTokens),
  };
}

const THINK_OPEN = "<think>";
const THINK_CLOSE = "</think>";

/**
 * Remove a leading `<think>…</think>` block (and the whitespace after it), as MemOS's
 * `remove_think_prefix` does. An unclosed block means the model was cut off mid-thought: the
 * text is returned unchanged so the caller sees what happened instead of an empty answer.
 *
 * @example
 * stripThinkPrefix("<think>hmm</think>\n\nParis") // "Paris"
 */
export function stripThinkPrefix(text: string): string {
  const start = text.search(/\S/);
  if (start < 0 || !text.startsWith(THINK_OPEN, start)) return text;
  const end = text.indexOf(THINK_CLOSE, start + THINK_OPEN.length);
  if (end < 0) return text;
  return text.slice(end + THINK_CLOSE.length).replace(/^\s+/, "");
}

/**
 * The streaming form of {@link stripThinkPrefix}: feed deltas in, get the deltas to show out.
 * Text is held back only while it may still be (inside) a leading think block; after that,
 * deltas pass straight through. `flush()` returns what was held when the stream ends.
 *
 * @example
 * const filter = createThinkPrefixFilter();
 * for await (const d of deltas) { const out = filter.push(d); if (out) write(out); }
 * write(filter.flush());
 */
export function createThinkPrefixFilter(): { push(delta: string): string; flush(): string } {
  let held = "";
  let state: "start" | "inside" | "after-close" | "pass" = "start";
  return {
    push(delta) {
      if (state === "pass") return delta;
      held += delta;
      if (state === "start") {
        const lead = held.trimStart();
        if (lead.length < THINK_OPEN.length && THINK_OPEN.startsWith(lead)) return "";
        if (!lead.startsWith(THINK_OPEN)) {
          state = "pass";
          const out = held;
          held = "";
          return out;
        }
        state = "inside";
      }
      if (state === "inside") {
        const end = held.indexOf(THINK_CLOSE);
        if (end < 0) return "";
        held = held.slice(end + THINK_CLOSE.length);
        state = "after-close";
      }
      // Drop the blank lines between the block and the answer, then pass everything on.
      held = held.replace(/^\s+/, "");
      if (held === "") return "";
      state = "pass";
      const out = held;
      held = "";
      return out;
    },
    flush() {
      // An unclosed block is returned whole rather than swallowed (see stripThinkPrefix).
      const out = state === "after-close" ? "" : held;
      held = "";
      return out;
    },
  };
}
