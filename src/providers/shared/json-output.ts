/**
 * JSON in and out of text models: telling a model the shape to answer with, and finding the JSON
 * value in what it answered.
 *
 * @module
 */
import type { LLMMessage } from "../../core/interfaces/language-model.js";
import { stripThinkPrefix } from "./think-prefix.js";

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
