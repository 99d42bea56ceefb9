import { describe, expect, it } from "vitest";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { FILTER_CORPUS } from "../../testing/store-conformance/filter-corpus.js";
import {
  ELEMENT_SEPARATOR,
  edgeFromProperties,
  edgeProperties,
  itemFromProperties,
  itemProperties,
  SYSTEM,
} from "./properties.js";

/** What Neo4j accepts as a property value: a scalar, or a list of scalars of one type. */
function neo4jAccepts(value: unknown): boolean {
  const scalar = (x: unknown) =>
    typeof x === "string" || typeof x === "boolean" || (typeof x === "number" && Number.isFinite(x));
  if (scalar(value)) return true;
  if (!Array.isArray(value)) return false;
  return value.every((x) => scalar(x) && typeof x === typeof value[0]);
}

/** What the driver hands back: JSON-like values with Neo4j's absent-for-null rule. */
const throughNeo4j = (props: Record<string, unknown>) => JSON.parse(JSON.stringify(props));

const full = TextualMemoryItem.parse({
  id: "0b6f3a52",
  memory: "Alice moved to Lisbon.",
  metadata: {
    user_id: "alice",
    cube_id: "cube-a",
    tags: ["home", "lisbon"],
    confidence: 87.5,
    sources: [{ type: "chat", role: "user", content: "I moved", chat_time: "2024-03-02T10:00:00Z" }],
    usage: ["2024-03-03T00:00:00Z", { time: "2024-03-04T00:00:00Z", query: "where" }],
    history: [
      { version: 1, memory: "Porto", update_type: "conflict", archived_memory_id: null, created_at: "x" },
    ],
    invalid_at: null,
    custom_nested: { a: [1, "two", null, { b: false }], "weird key": "ok" },
    custom_flag: false,
    "Odd Key": { kept: true },
    id: "a metadata field named id",
    memory: "and one named memory",
  },
});

describe("Neo4j property flattening", () => {
  it("writes only values Neo4j accepts: no maps, no nulls, no mixed lists", () => {
    for (const item of [full, ...FILTER_CORPUS.map((x) => TextualMemoryItem.parse(x))]) {
      for (const [name, value] of Object.entries(itemProperties(item, "cube-1"))) {
        expect(neo4jAccepts(value), `${item.id}.${name} = ${JSON.stringify(value)}`).toBe(true);
      }
    }
  });

  it("gives back exactly the memory it was given, unknown and nested fields included", () => {
    for (const item of [full, ...FILTER_CORPUS.map((x) => TextualMemoryItem.parse(x))]) {
      const props = throughNeo4j(itemProperties(item, "cube-1"));
      expect(itemFromProperties(props)).toEqual(item);
    }
  });

  it("keeps scalars and homogeneous lists as native properties, readable by other Neo4j tools", () => {
    const props = itemProperties(full, "cube-1");
    expect(props).toMatchObject({
      id: "0b6f3a52",
      memory: "Alice moved to Lisbon.",
      user_id: "alice",
      cube_id: "cube-a", // the metadata field, apart from the store's own cube property
      [SYSTEM.cube]: "cube-1",
      tags: ["home", "lisbon"],
      confidence: 87.5,
      custom_flag: false,
    });
    expect(JSON.parse(props.custom_nested as string)).toEqual(full.metadata.custom_nested);
    expect(props[SYSTEM.json]).toEqual(
      expect.arrayContaining(["sources", "usage", "history", "custom_nested"]),
    );
    expect(props[SYSTEM.nulls]).toEqual(["invalid_at"]);
    expect(JSON.parse(props[SYSTEM.extra] as string)).toEqual({
      "Odd Key": { kept: true },
      id: "a metadata field named id",
      memory: "and one named memory",
    });
    expect(props[SYSTEM.elems]).toContain(`tags${ELEMENT_SEPARATOR}"lisbon"`);
    expect(props[SYSTEM.text]).toBe("Alice moved to Lisbon.\n\nhome\nlisbon");
  });

  it("indexes every list element by type, so 1, '1', true and null stay apart", () => {
    const item = TextualMemoryItem.parse({ id: "m", memory: "x", metadata: { mixed: [1, "1", true, null] } });
    expect(itemProperties(item, "c")[SYSTEM.elems]).toEqual([
      `mixed${ELEMENT_SEPARATOR}1`,
      `mixed${ELEMENT_SEPARATOR}"1"`,
      `mixed${ELEMENT_SEPARATOR}true`,
      `mixed${ELEMENT_SEPARATOR}null`,
    ]);
  });

  it("never writes the embedding as a property (the vector is written apart)", () => {
    const item = TextualMemoryItem.parse({ id: "e", memory: "x", metadata: { embedding: [0.1, 0.2] } });
    const props = itemProperties(item, "c");
    expect(props).not.toHaveProperty("embedding");
    expect(props).not.toHaveProperty(SYSTEM.embedding);
  });

  it("round-trips edges with their own fields", () => {
    const edge = {
      source: "a",
      target: "b",
      type: "RELATE_TO" as const,
      weight: 0.5,
      why: { by: "llm" },
      gone: null,
    };
    const props = throughNeo4j(edgeProperties(edge));
    for (const value of Object.values(props)) expect(neo4jAccepts(value)).toBe(true);
    expect(edgeFromProperties("a", "b", "RELATE_TO", props)).toEqual(edge);
  });
});
