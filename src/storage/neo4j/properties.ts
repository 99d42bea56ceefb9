/**
 * Memories as Neo4j properties. Neo4j stores only scalars and homogeneous lists of scalars (no
 * maps, no nulls, no mixed lists): MemOS users hit map-typed metadata being rejected. So each
 * metadata field becomes one property of a type Neo4j accepts, and what it cannot hold is
 * encoded beside it, with enough bookkeeping to give back exactly what was written and to let
 * the filter DSL (./cypher-filter.ts) run inside Cypher with the reference semantics:
 *
 * - string, number, boolean → the property as is (numbers travel as Neo4j FLOAT);
 * - a list of only strings, only numbers or only booleans (or empty) → a native list;
 * - null → no property; the field name goes into `memosNulls`;
 * - anything else (maps, mixed lists, lists holding null or maps) → its JSON text, the field name
 *   in `memosJson`;
 * - every list, native or JSON → one `field + "\u001f" + JSON(element)` entry per element in
 *   `memosElems`, so `contains` is one list lookup whatever the element types;
 * - field names Cypher filters cannot name (not `[a-z_][a-z0-9_]*`, or `id`/`memory` on a node)
 *   → together in `memosExtra` as JSON.
 *
 * System properties are camelCase (`memosCube`, ...), which no filterable field name can be.
 */
import { FIELD_NAME } from "../../core/schema/filter.js";
import type { MemoryEdge, TextualMemoryItem } from "../../core/schema/memory.js";
import { searchText } from "../shared/search-text.js";

/**
 * Node labels and property names the store's Cypher uses (a fixed whitelist, never user text).
 * Not plain `Memory`: MemOS's own Neo4j schema uses that label (with a unique id constraint), and
 * a user's graph may too; ours must not mix with theirs.
 */
export const MEMORY_LABEL = "MemosMemory";
export const CUBE_LABEL = "MemosCube";
export const SYSTEM = {
  cube: "memosCube",
  embedding: "memosEmbedding",
  text: "memosText",
  json: "memosJson",
  nulls: "memosNulls",
  elems: "memosElems",
  extra: "memosExtra",
} as const;
const SYSTEM_NAMES = new Set<string>(Object.values(SYSTEM));

/** Between a field name and an element's JSON in `memosElems`; field names cannot contain it. */
export const ELEMENT_SEPARATOR = "\u001f";

/** A value Neo4j stores as a property. */
export type PropertyValue = string | number | boolean | string[] | number[] | boolean[];
export type Properties = Record<string, PropertyValue>;

/** The `memosElems` entry a `contains` of `value` looks for in `field`. */
export function elementKey(field: string, value: unknown): string {
  return `${field}${ELEMENT_SEPARATOR}${JSON.stringify(value)}`;
}

function isNativeList(value: unknown[]): value is string[] | number[] | boolean[] {
  if (value.length === 0) return true;
  const kind = typeof value[0];
  if (kind !== "string" && kind !== "number" && kind !== "boolean") return false;
  return value.every((x) => typeof x === kind && (kind !== "number" || Number.isFinite(x)));
}

/**
 * Flatten a record (metadata, or an edge's own fields) into properties Neo4j accepts, with the
 * bookkeeping that {@link decodeFields} and the filter compiler read.
 *
 * @param reserved field names that must not become properties (the node's `id`, `memory`)
 * @example
 * encodeFields({ user_id: "u1", tags: ["a"], extra: { x: 1 }, gone: null });
 * // { user_id: "u1", tags: ["a"], extra: '{"x":1}', memosJson: ["extra"], memosNulls: ["gone"],
 * //   memosElems: ["tags\u001f\"a\""] }
 */
export function encodeFields(record: Record<string, unknown>, reserved: ReadonlySet<string>): Properties {
  const props: Properties = {};
  const json: string[] = [];
  const nulls: string[] = [];
  const elems: string[] = [];
  const extra: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (!FIELD_NAME.test(field) || reserved.has(field)) {
      extra[field] = value;
      continue;
    }
    if (value === null) {
      nulls.push(field);
    } else if (typeof value === "string" || typeof value === "boolean") {
      props[field] = value;
    } else if (typeof value === "number" && Number.isFinite(value)) {
      props[field] = value;
    } else if (Array.isArray(value)) {
      for (const element of value) elems.push(elementKey(field, element));
      if (isNativeList(value)) props[field] = value;
      else {
        props[field] = JSON.stringify(value);
        json.push(field);
      }
    } else {
      props[field] = JSON.stringify(value);
      json.push(field);
    }
  }
  props[SYSTEM.json] = json;
  props[SYSTEM.nulls] = nulls;
  props[SYSTEM.elems] = elems;
  if (Object.keys(extra).length > 0) props[SYSTEM.extra] = JSON.stringify(extra);
  return props;
}

/** A number the driver gives back as a neo4j Integer (written by another tool) as a JS number. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null && "toNumber" in value) {
    return (value as { toNumber(): number }).toNumber();
  }
  return value;
}

/** The record {@link encodeFields} flattened, from a node's or relationship's properties. */
export function decodeFields(
  props: Record<string, unknown>,
  skip: ReadonlySet<string>,
): Record<string, unknown> {
  const json = new Set((props[SYSTEM.json] as string[] | undefined) ?? []);
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(props)) {
    if (SYSTEM_NAMES.has(field) || skip.has(field) || value === null || value === undefined) continue;
    out[field] = json.has(field) ? JSON.parse(value as string) : plain(value);
  }
  for (const field of (props[SYSTEM.nulls] as string[] | undefined) ?? []) out[field] = null;
  const extra = props[SYSTEM.extra];
  if (typeof extra === "string") Object.assign(out, JSON.parse(extra));
  return out;
}

const NODE_RESERVED = new Set(["id", "memory"]);
const EDGE_RESERVED = new Set(["source", "target", "type"]);

/** A memory's node properties (without its vector, which is written and verified apart). */
export function itemProperties(item: TextualMemoryItem, cube: string): Properties {
  const { embedding: _embedding, ...metadata } = item.metadata;
  return {
    ...encodeFields(metadata, NODE_RESERVED),
    id: item.id,
    memory: item.memory,
    [SYSTEM.cube]: cube,
    [SYSTEM.text]: searchText(item),
  };
}

/** A memory from its node's properties. */
export function itemFromProperties(props: Record<string, unknown>): TextualMemoryItem {
  return {
    id: props.id as string,
    memory: props.memory as string,
    metadata: decodeFields(props, NODE_RESERVED) as TextualMemoryItem["metadata"],
  };
}

/** An edge's own fields (weight, confidence, ...) as relationship properties. */
export function edgeProperties(edge: MemoryEdge): Properties {
  const { source: _s, target: _t, type: _type, ...fields } = edge;
  return encodeFields(fields, EDGE_RESERVED);
}

/** An edge from its ends, type and relationship properties. */
export function edgeFromProperties(
  source: string,
  target: string,
  type: string,
  props: Record<string, unknown>,
): MemoryEdge {
  return { ...decodeFields(props, EDGE_RESERVED), source, target, type } as MemoryEdge;
}
