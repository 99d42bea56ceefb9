/**
 * `generateObject`: JSON that matches a zod schema, or a typed `LLMOutputError` — never an empty
 * result.
 *
 * @module
 */
import { z } from "zod";
import { LLMOutputError } from "../../core/errors/llm-output-error.js";
import type {
  GenerateOptions,
  LanguageModel,
  LLMMessage,
  TokenUsage,
} from "../../core/interfaces/language-model.js";
import { extractJson, withSchemaInstruction } from "./json-output.js";

/** The result of `generateObject`: the validated object, the raw text and usage. */
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
