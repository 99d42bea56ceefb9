import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../core/math/random.js";
import { matchesFilter, normalizeFilter } from "../../core/schema/filter.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { FILTER_CORPUS, FILTER_TABLE, randomFilter } from "../../testing/store-conformance/filter-corpus.js";
import { compileFilter, cubeWhere, Params } from "./cypher-filter.js";
import { itemProperties } from "./properties.js";
import { evaluateCypher } from "./test-helpers.js";

const items = FILTER_CORPUS.map((x) => TextualMemoryItem.parse(x));
/** Each item as Neo4j holds it: flattened properties, nulls absent (what the driver returns). */
const nodes = items.map((item) => ({ item, props: JSON.parse(JSON.stringify(itemProperties(item, "c"))) }));

function cypherMatches(filter: Parameters<typeof normalizeFilter>[0]): string[] {
  const params = new Params();
  const text = compileFilter(normalizeFilter(filter), "n", params);
  // WHERE keeps a row only when the expression is true (null drops it, as false does).
  return nodes
    .filter((n) => evaluateCypher(text, { props: n.props, params: params.values }) === true)
    .map((n) => n.item.id);
}

function expected(filter: Parameters<typeof normalizeFilter>[0]): string[] {
  const node = normalizeFilter(filter);
  return items.filter((x) => matchesFilter(x as Parameters<typeof matchesFilter>[0], node)).map((x) => x.id);
}

describe("filter DSL → Cypher WHERE", () => {
  it("selects what matchesFilter selects for every filter of the conformance table", () => {
    for (const filter of FILTER_TABLE)
      expect(cypherMatches(filter), JSON.stringify(filter)).toEqual(expected(filter));
  });

  it("selects what matchesFilter selects for 500 random filters", () => {
    const rand = mulberry32(77);
    for (let i = 0; i < 500; i++) {
      const filter = randomFilter(rand);
      expect(cypherMatches(filter), JSON.stringify(filter)).toEqual(expected(filter));
    }
  });

  it("binds field names and values as parameters", () => {
    const params = new Params();
    const text = compileFilter(normalizeFilter({ user_id: "u1", tags: { contains: "food" } }), "n", params);
    expect(text).toBe(
      "(coalesce(n[$p0] = $p1 AND NOT $p0 IN n.memosJson, false) AND " +
        "($p3 IN n.memosElems OR CASE WHEN n[$p2] IS :: STRING NOT NULL AND NOT $p2 IN n.memosJson " +
        "THEN n[$p2] CONTAINS $p4 ELSE false END))",
    );
    expect(params.values).toEqual({
      p0: "user_id",
      p1: "u1",
      p2: "tags",
      p3: 'tags\u001f"food"',
      p4: "food",
    });
  });

  it("reads id and memory from the node itself, and compiles each operator", () => {
    const cases: [Parameters<typeof normalizeFilter>[0], string][] = [
      [{ id: "x" }, "coalesce(n.id = $p0, false)"],
      [
        { memory: { contains: "tea" } },
        "CASE WHEN n.memory IS :: STRING NOT NULL THEN n.memory CONTAINS $p0 ELSE false END",
      ],
      [{ user_id: null }, "n[$p0] IS NULL"],
      [{ user_id: { ne: null } }, "n[$p0] IS NOT NULL"],
      [{ user_id: { ne: "u" } }, "NOT coalesce(n[$p0] = $p1 AND NOT $p0 IN n.memosJson, false)"],
      [
        { user_id: { in: ["a", null] } },
        "(coalesce(n[$p0] IN $p1 AND NOT $p0 IN n.memosJson, false) OR n[$p0] IS NULL)",
      ],
      [{ user_id: { in: [] } }, "false"],
      [{ priority: { gte: 2 } }, "coalesce(n[$p0] >= $p1 AND NOT $p0 IN n.memosJson, false)"],
      [{ or: [] }, "false"],
      [{ and: [] }, "true"],
    ];
    for (const [filter, text] of cases) {
      expect(compileFilter(normalizeFilter(filter), "n", new Params()), JSON.stringify(filter)).toBe(text);
    }
  });

  it("keeps injection attempts in parameters: the text never holds user values", () => {
    const attacks = [
      "x' OR 1=1 //",
      'x"}) DETACH DELETE n //',
      "`) MATCH (m) DETACH DELETE m //",
      "$p0",
      "\u001f",
    ];
    for (const attack of attacks) {
      for (const op of ["eq", "ne", "contains", "gt", "in"] as const) {
        const params = new Params();
        const value = op === "in" ? [attack] : attack;
        const text = cubeWhere(
          "n",
          attack,
          normalizeFilter({ user_id: { [op]: value }, memory: attack }),
          params,
        );
        expect(text).not.toContain(attack === "$p0" ? "$p0 OR" : attack);
        expect(text).toMatch(/^n\.memosCube = \$p0 AND /);
        expect(Object.values(params.values)).toContain(attack);
        // The result still evaluates as a filter over one node.
        expect(
          typeof evaluateCypher(text.replace(/^n\.memosCube = \$p0 AND /, ""), {
            props: {},
            params: params.values,
          }),
        ).toBe("boolean");
      }
    }
  });

  it("a field name that is not [a-z_][a-z0-9_]* never reaches Cypher", () => {
    expect(() => normalizeFilter({ "user_id] OR true //": 1 })).toThrow(/not a valid field name/);
  });
});
