/**
 * `response_format` for OpenAI-compatible chat completions.
 *
 * OpenAI's strict structured outputs accept a subset of JSON Schema: the root is an object,
 * every object sets `additionalProperties: false` and lists all its properties in `required`
 * (optional fields are expressed as nullable). zod's optional fields and records break that, so
 * such schemas are sent with `strict: false` (the server still guides, we still validate).
 *
 * @module
 */
import type { JsonSchema } from "../../core/interfaces/language-model.js";

export type OpenAIResponseFormat =
  | { type: "json_object" }
  | { type: "json_schema"; json_schema: { name: string; schema: JsonSchema; strict: boolean } };

/** Whether OpenAI's strict mode accepts this schema (see the module comment). */
export function isStrictCompatible(schema: unknown): boolean {
  if (typeof schema !== "object" || schema === null) return false;
  if (Array.isArray(schema)) return schema.every(isStrictCompatible);
  const s = schema as Record<string, unknown>;
  // Strict mode wants every subschema typed: `{}` ("any", zod's unrepresentable) is refused.
  if (!["type", "anyOf", "$ref", "enum", "const"].some((k) => k in s)) return false;
  const isObject =
    s.type === "object" || (Array.isArray(s.type) && s.type.includes("object")) || "properties" in s;
  if (isObject) {
    if (s.additionalProperties !== false) return false;
    if ("propertyNames" in s || "patternProperties" in s) return false;
    const keys = Object.keys((s.properties as Record<string, unknown> | undefined) ?? {});
    const required = Array.isArray(s.required) ? new Set(s.required) : new Set();
    if (!keys.every((k) => required.has(k))) return false;
  }
  for (const key of ["properties", "$defs", "definitions"] as const) {
    // Maps of name → subschema.
    const children = s[key];
    if (children && typeof children === "object" && !Object.values(children).every(isStrictCompatible))
      return false;
  }
  for (const key of ["items", "prefixItems", "anyOf", "allOf", "oneOf", "not"] as const) {
    if (key in s && !isStrictCompatible(s[key])) return false;
  }
  return true;
}

/** Whether the schema's root describes an object (json_schema and json_object both need one). */
export function isObjectRoot(schema: JsonSchema): boolean {
  return schema.type === "object" || (schema.type === undefined && typeof schema.properties === "object");
}

/** OpenAI wants `^[a-zA-Z0-9_-]{1,64}$` for the schema name. */
export function schemaName(name: string | undefined): string {
  const cleaned = (name ?? "output").replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return cleaned || "output";
}

/** The schema as sent: `$schema` removed (some compatible servers reject unknown keywords at the root). */
export function cleanSchema(schema: JsonSchema): JsonSchema {
  const { $schema: _drop, ...rest } = schema;
  return rest;
}

/**
 * Choose the response_format for a JSON request. Undefined means "send none" (the schema then
 * travels in the prompt): a non-object root cannot be expressed by either JSON mode.
 */
export function responseFormatFor(
  format: { schema?: JsonSchema; name?: string },
  structuredOutput: "json-schema" | "json",
): OpenAIResponseFormat | undefined {
  if (!format.schema) return { type: "json_object" };
  if (!isObjectRoot(format.schema)) return undefined;
  if (structuredOutput === "json") return { type: "json_object" };
  const schema = cleanSchema(format.schema);
  return {
    type: "json_schema",
    json_schema: { name: schemaName(format.name), schema, strict: isStrictCompatible(schema) },
  };
}
