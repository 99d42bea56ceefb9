import { describe, expect, it } from "vitest";
import { normalizeFilter } from "../../core/schema/filter.js";
import { EDGE_TYPES } from "../../core/schema/memory.js";
import * as cypher from "./cypher.js";

describe("Neo4j Cypher builders", () => {
  it("writes the vector index DDL only for an integer dimension Neo4j accepts", () => {
    expect(cypher.createVectorIndex(768).text).toBe(
      "CREATE VECTOR INDEX memos_memory_embedding IF NOT EXISTS FOR (n:MemosMemory) ON (n.memosEmbedding) " +
        "OPTIONS {indexConfig: {`vector.dimensions`: 768, `vector.similarity_function`: 'cosine'}}",
    );
    for (const bad of [0, 1.5, 5000, Number.NaN, "768} }) DROP INDEX x //" as unknown as number]) {
      expect(() => cypher.createVectorIndex(bad)).toThrow(/dimensions/);
    }
  });

  it("writes relationship types only from the fixed edge-type list", () => {
    for (const type of EDGE_TYPES) {
      expect(cypher.mergeEdges("c", type, []).text).toContain(`MERGE (a)-[r:${type}]->(b)`);
    }
    expect(() => cypher.mergeEdges("c", "RELATE_TO]->(b) DETACH DELETE a //", [])).toThrow(/whitelisted/);
    // Reads and removals compare type(r) with a parameter instead.
    const remove = cypher.removeEdges("c", [{ source: "a", target: "b", type: "X' //" }]);
    expect(remove.text).toContain("WHERE type(r) = e.type");
    expect(remove.params.edges).toEqual([{ source: "a", target: "b", type: "X' //" }]);
  });

  it("quotes every Lucene term, escaping quotes and backslashes", () => {
    expect(cypher.luceneQuery(["tea", "and", "near"])).toBe('"tea" OR "and" OR "near"');
    expect(cypher.lucenePhrase('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(cypher.luceneQuery(["x", "y"], "AND")).toBe('"x" AND "y"');
  });

  it("lists with SQL's order (missing dates first ascending), stable ties and integer paging", () => {
    const asc = cypher.listNodes("c", normalizeFilter({ user_id: "u" }), {
      orderBy: "updated_at",
      order: "asc",
      offset: 7,
      limit: 7,
    });
    expect(asc.text).toBe(
      "MATCH (n:MemosMemory) WHERE n.memosCube = $p0 AND coalesce(n[$p1] = $p2 AND NOT $p1 IN n.memosJson, false) " +
        "RETURN n { .*, memosEmbedding: null } AS props " +
        "ORDER BY n.updated_at IS NOT NULL ASC, n.updated_at ASC, n.id ASC SKIP toInteger($p3) LIMIT toInteger($p4)",
    );
    expect(asc.params).toEqual({ p0: "c", p1: "user_id", p2: "u", p3: 7, p4: 7 });
    const all = cypher.listNodes("c", undefined, {
      orderBy: "created_at",
      order: "desc",
      offset: 0,
      limit: undefined,
    });
    expect(all.text).toMatch(
      /ORDER BY n\.created_at IS NOT NULL DESC, n\.created_at DESC, n\.id DESC SKIP toInteger\(\$p1\)$/,
    );
    expect(() =>
      cypher.listNodes("c", undefined, {
        orderBy: "memory) DETACH DELETE n //" as "created_at",
        order: "asc",
        offset: 0,
        limit: 1,
      }),
    ).toThrow();
  });

  it("scopes every query to the cube with a parameter", () => {
    const queries = [
      cypher.existingIds("cube x", ["a"]),
      cypher.getNodes("cube x", ["a"]),
      cypher.getVector("cube x", "a"),
      cypher.deleteNodes("cube x", ["a"]),
      cypher.deleteWhere("cube x", undefined),
      cypher.countNodes("cube x", undefined),
      cypher.upsertNodes("cube x", []),
      cypher.updateNode("cube x", "a", { props: {}, vector: null }),
      cypher.countVectors("cube x", ["a"], 3),
      cypher.vectorCandidates("cube x", [1, 0], 10, undefined),
      cypher.vectorExact("cube x", [1, 0], 10, undefined),
      cypher.keywordCandidates("cube x", '"a"', 10, undefined),
      cypher.keywordAll("cube x", '"a"', 10, undefined),
      cypher.edgesAt("cube x", "a", "both", EDGE_TYPES),
      cypher.neighborIds("cube x", ["a"], EDGE_TYPES),
      cypher.edgesAmong("cube x", null, EDGE_TYPES),
    ];
    for (const q of queries) {
      expect(q.text).not.toContain("cube x");
      expect(Object.values(q.params)).toContain("cube x");
      expect(q.text).toMatch(/memosCube(: \$cube| = \$cube| = \$p\d)/);
    }
  });

  it("asks the vector index for k candidates and reports how many it gave", () => {
    const q = cypher.vectorCandidates("c", [0.5, 0.5], 100, normalizeFilter({ status: "activated" }));
    expect(q.text).toBe(
      "CALL db.index.vector.queryNodes($p0, toInteger($p1), $p2) YIELD node AS n " +
        "WITH count(n) AS seen, collect(CASE WHEN n.memosCube = $p3 AND " +
        "coalesce(n[$p4] = $p5 AND NOT $p4 IN n.memosJson, false) " +
        "THEN {id: n.id, embedding: n.memosEmbedding} END) AS rows RETURN seen, rows",
    );
    expect(q.params).toEqual({
      p0: "memos_memory_embedding",
      p1: 100,
      p2: [0.5, 0.5],
      p3: "c",
      p4: "status",
      p5: "activated",
    });
  });
});
