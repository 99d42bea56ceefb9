/**
 * JSON Schema → llama.cpp grammar. node-llama-cpp compiles a subset of JSON Schema into a GBNF
 * grammar that constrains sampling; `z.toJSONSchema` emits a few things outside that subset, which
 * are rewritten here (anyOf → oneOf) or dropped when they only narrow values (minimum, pattern:
 * zod still validates them afterwards). A schema with a node the grammar cannot express at all
 * falls back to the generic JSON grammar, which still guarantees parseable JSON.
 *
 * @module
 */
import type { GbnfJsonSchema, Llama, LlamaGrammar } from "node-llama-cpp";
import type { JsonSchema } from "../../core/interfaces/language-model.js";

/** Keys the grammar compiler understands, per node kind. Anything else is dropped. */
const KEPT = new Set([
  "type",
  "description",
  "const",
  "enum",
  "properties",
  "required",
  "additionalProperties",
  "minProperties",
  "maxProperties",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "format",
  "$ref",
  "$defs",
]);
const FORMATS = new Set(["date-time", "time", "date"]);
const TYPES = new Set(["string", "number", "integer", "boolean", "null", "object", "array"]);

class Unsupported extends Error {}

function convert(node: unknown): Record<string, unknown> {
  if (node === true || (typeof node === "object" && node !== null && Object.keys(node).length === 0)) {
    // "any value": not expressible as one node.
    throw new Unsupported("any");
  }
  if (typeof node !== "object" || node === null || Array.isArray(node)) throw new Unsupported("node");
  const src = node as Record<string, unknown>;
  const union = src.anyOf ?? src.oneOf;
  if (Array.isArray(union)) {
    return { oneOf: union.map(convert), ...(src.$defs ? { $defs: convertDefs(src.$defs) } : {}) };
  }
  if (src.allOf !== undefined || src.not !== undefined || src.if !== undefined)
    throw new Unsupported("combinator");
  if (Array.isArray(src.type)) {
    if (!src.type.every((t) => typeof t === "string" && TYPES.has(t))) throw new Unsupported("type");
    // Multi-type nodes are fine only for primitives; split object/array ones into oneOf.
    if (src.type.some((t) => t === "object" || t === "array")) {
      return { oneOf: src.type.map((t) => convert({ ...src, type: t })) };
    }
  } else if (src.type !== undefined && !(typeof src.type === "string" && TYPES.has(src.type))) {
    throw new Unsupported("type");
  }
  if (src.type === undefined && src.const === undefined && src.enum === undefined && src.$ref === undefined) {
    throw new Unsupported("untyped");
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(src)) {
    if (!KEPT.has(key)) continue;
    if (key === "format" && !(typeof value === "string" && FORMATS.has(value))) continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, convert(v)]),
      );
    } else if (key === "items") {
      if (value === false) out.maxItems = 0;
      else out.items = convert(value);
    } else if (key === "prefixItems") {
      out.prefixItems = (value as unknown[]).map(convert);
    } else if (key === "additionalProperties") {
      out.additionalProperties = typeof value === "boolean" ? value : convert(value);
    } else if (key === "$defs") {
      out.$defs = convertDefs(value);
    } else {
      out[key] = value;
    }
  }
  if (
    src.format !== undefined &&
    "format" in out &&
    (out.minLength !== undefined || out.maxLength !== undefined)
  ) {
    // The compiler has either a format or length bounds on a string, not both.
    delete out.minLength;
    delete out.maxLength;
  }
  return out;
}

function convertDefs(defs: unknown): Record<string, unknown> {
  if (typeof defs !== "object" || defs === null) throw new Unsupported("$defs");
  return Object.fromEntries(Object.entries(defs).map(([k, v]) => [k, convert(v)]));
}

/**
 * The grammar-compatible form of a JSON Schema, or `undefined` if it has parts a grammar cannot
 * express (then use the generic JSON grammar and rely on validation).
 *
 * @example
 * toGrammarSchema({ type: "object", properties: { n: { type: "integer", minimum: 0 } } });
 * // → { type: "object", properties: { n: { type: "integer" } } }
 */
export function toGrammarSchema(schema: JsonSchema): GbnfJsonSchema | undefined {
  try {
    return convert(schema) as GbnfJsonSchema;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/** Compiled grammars per Llama instance, keyed by schema text; compiling costs milliseconds. */
const cache = new WeakMap<Llama, Map<string, Promise<LlamaGrammar>>>();
const MAX_CACHED = 64;

/**
 * The grammar for `{type: "json", schema?}`: the schema's own grammar where it converts (and
 * compiles), otherwise node-llama-cpp's built-in any-JSON grammar.
 */
export function grammarFor(llama: Llama, schema: JsonSchema | undefined): Promise<LlamaGrammar> {
  const converted = schema ? toGrammarSchema(schema) : undefined;
  const key = converted ? JSON.stringify(converted) : "<json>";
  let byKey = cache.get(llama);
  if (!byKey) {
    byKey = new Map();
    cache.set(llama, byKey);
  }
  let grammar = byKey.get(key);
  if (!grammar) {
    // The method's generic signature infers the output type from a literal schema; ours is dynamic.
    const compile = llama.createGrammarForJsonSchema.bind(llama) as (
      s: GbnfJsonSchema,
    ) => Promise<LlamaGrammar>;
    grammar = converted
      ? compile(converted).catch(() => llama.getGrammarFor("json"))
      : llama.getGrammarFor("json");
    if (byKey.size >= MAX_CACHED) {
      const oldest = byKey.keys().next().value;
      if (oldest !== undefined) byKey.delete(oldest);
    }
    byKey.set(key, grammar);
  }
  return grammar;
}
