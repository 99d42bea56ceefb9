/**
 * Every Cypher statement the Neo4j store runs, built by pure functions so tests can read the text
 * and parameters of each. Values are always parameters. What Cypher cannot take as a parameter
 * (labels, relationship types on CREATE/MERGE, index names, the vector dimension in index DDL)
 * comes from a fixed whitelist or a validated integer, never from user text.
 */
import { StorageError } from "../../core/errors/index.js";
import type { FilterNode } from "../../core/schema/filter.js";
import { EDGE_TYPES, type EdgeType } from "../../core/schema/memory.js";
import { type CypherQuery, cubeWhere, Params } from "./cypher-filter.js";
import { CUBE_LABEL, MEMORY_LABEL, type Properties, SYSTEM } from "./properties.js";

export type { CypherQuery };

/** Index and constraint names (fixed). */
export const INDEX = {
  vector: "memos_memory_embedding",
  text: "memos_memory_text",
  cube: "memos_memory_cube",
  key: "memos_memory_key",
  cubeKey: "memos_cube_id",
} as const;

export { lucenePhrase, luceneQuery } from "./lucene.js";

const M = MEMORY_LABEL;
const EDGE_TYPE_SET = new Set<string>(EDGE_TYPES);
/** Largest vector dimension a Neo4j 5 vector index accepts. */
export const MAX_VECTOR_DIMENSIONS = 4096;

function q(text: string, params: Params | Record<string, unknown> = {}): CypherQuery {
  return { text, params: params instanceof Params ? params.values : params };
}

/** A node's properties without its vector (map projection; the vector travels only when asked). */
const NODE = `n { .*, ${SYSTEM.embedding}: null } AS props`;

// ---------------------------------------------------------------- server and schema

/** Name, versions and edition of the server (works on Community and Enterprise). */
export function components(): CypherQuery {
  return q("CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition");
}

/** Whether a database exists (run against `system`). */
export function showDatabase(name: string): CypherQuery {
  return q("SHOW DATABASES YIELD name WHERE name = $name RETURN name", { name });
}

/** Create a database (Enterprise only; run against `system`). The name is a parameter. */
export function createDatabase(name: string): CypherQuery {
  return q("CREATE DATABASE $name IF NOT EXISTS WAIT", { name });
}

/** A schema statement; `optional` ones may fail (logged) without stopping the store. */
export interface SchemaStatement {
  query: CypherQuery;
  optional: boolean;
}

/**
 * Constraints and indexes every store needs, idempotent. The (cube, id) uniqueness constraint is
 * optional: the store checks ids itself before every add, and a server that refuses a composite
 * constraint (or finds old duplicates) should not stop the store from opening.
 */
export function schemaStatements(): SchemaStatement[] {
  return [
    {
      query: q(
        `CREATE CONSTRAINT ${INDEX.key} IF NOT EXISTS FOR (n:${M}) REQUIRE (n.${SYSTEM.cube}, n.id) IS UNIQUE`,
      ),
      optional: true,
    },
    {
      query: q(`CREATE INDEX ${INDEX.cube} IF NOT EXISTS FOR (n:${M}) ON (n.${SYSTEM.cube})`),
      optional: false,
    },
    {
      query: q(
        `CREATE CONSTRAINT ${INDEX.cubeKey} IF NOT EXISTS FOR (c:${CUBE_LABEL}) REQUIRE c.id IS UNIQUE`,
      ),
      optional: true,
    },
    {
      query: q(`CREATE FULLTEXT INDEX ${INDEX.text} IF NOT EXISTS FOR (n:${M}) ON EACH [n.${SYSTEM.text}]`),
      optional: false,
    },
  ];
}

/** The options (dimension) of the vector index, when it exists. */
export function showVectorIndex(): CypherQuery {
  return q("SHOW INDEXES YIELD name, options WHERE name = $name RETURN options", { name: INDEX.vector });
}

/**
 * The cosine vector index (Neo4j ≥ 5.18 syntax). Index DDL takes no parameters in its OPTIONS on
 * every 5.x release, so the dimension is written into the text, after checking it is an integer.
 */
export function createVectorIndex(dimensions: number): CypherQuery {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_VECTOR_DIMENSIONS) {
    throw new StorageError({
      message: `a Neo4j vector index takes 1 to ${MAX_VECTOR_DIMENSIONS} dimensions, got ${String(dimensions)}`,
      hint: "use an embedder with at most 4096 dimensions",
    });
  }
  return q(
    `CREATE VECTOR INDEX ${INDEX.vector} IF NOT EXISTS FOR (n:${M}) ON (n.${SYSTEM.embedding}) ` +
      `OPTIONS {indexConfig: {\`vector.dimensions\`: ${dimensions}, \`vector.similarity_function\`: 'cosine'}}`,
  );
}

// ---------------------------------------------------------------- the cube

/** The cube's node (made on first use) and its vector dimension. */
export function mergeCube(cube: string): CypherQuery {
  return q(`MERGE (c:${CUBE_LABEL} {id: $cube}) RETURN c.dimensions AS dimensions`, { cube });
}

/** Fix the cube's vector dimension (inside the write that stores its first vector). */
export function setCubeDimensions(cube: string, dimensions: number): CypherQuery {
  return q(`MERGE (c:${CUBE_LABEL} {id: $cube}) SET c.dimensions = $dimensions`, { cube, dimensions });
}

// ---------------------------------------------------------------- items

/** A node to write: its properties and its vector (null: none / keep the stored one). */
export interface NodeRow {
  props: Properties;
  vector: number[] | null;
}

/** Which of `ids` already exist in the cube. */
export function existingIds(cube: string, ids: string[]): CypherQuery {
  return q(`MATCH (n:${M}) WHERE n.${SYSTEM.cube} = $cube AND n.id IN $ids RETURN n.id AS id`, { cube, ids });
}

/** Create new nodes (the uniqueness constraint rejects an id the cube has). */
export function createNodes(rows: NodeRow[]): CypherQuery {
  return q(`UNWIND $rows AS row CREATE (n:${M}) SET n = row.props SET n.${SYSTEM.embedding} = row.vector`, {
    rows,
  });
}

/** Insert or replace nodes by id; a null vector keeps the stored one. */
export function upsertNodes(cube: string, rows: NodeRow[]): CypherQuery {
  return q(
    `UNWIND $rows AS row MERGE (n:${M} {${SYSTEM.cube}: $cube, id: row.props.id}) ` +
      `WITH n, row, n.${SYSTEM.embedding} AS kept SET n = row.props ` +
      `SET n.${SYSTEM.embedding} = coalesce(row.vector, kept)`,
    { cube, rows },
  );
}

/** Replace one node's properties (and vector when given); returns how many matched (0 or 1). */
export function updateNode(cube: string, id: string, row: NodeRow): CypherQuery {
  return q(
    `MATCH (n:${M} {${SYSTEM.cube}: $cube, id: $id}) WITH n, n.${SYSTEM.embedding} AS kept ` +
      `SET n = $props SET n.${SYSTEM.embedding} = coalesce($vector, kept) RETURN count(n) AS updated`,
    { cube, id, props: row.props, vector: row.vector },
  );
}

/**
 * How many of `ids` hold a vector of `dimensions` numbers: a write is acknowledged only when this
 * equals the number of vectors it wrote (MemOS users hit a store that silently never wrote them).
 */
export function countVectors(cube: string, ids: string[], dimensions: number): CypherQuery {
  return q(
    `MATCH (n:${M}) WHERE n.${SYSTEM.cube} = $cube AND n.id IN $ids ` +
      `AND size(n.${SYSTEM.embedding}) = $dimensions RETURN count(n) AS stored`,
    { cube, ids, dimensions },
  );
}

/** Nodes by id (without vectors). */
export function getNodes(cube: string, ids: string[]): CypherQuery {
  return q(`MATCH (n:${M}) WHERE n.${SYSTEM.cube} = $cube AND n.id IN $ids RETURN ${NODE}`, { cube, ids });
}

/** One node's vector. */
export function getVector(cube: string, id: string): CypherQuery {
  return q(`MATCH (n:${M} {${SYSTEM.cube}: $cube, id: $id}) RETURN n.${SYSTEM.embedding} AS embedding`, {
    cube,
    id,
  });
}

/** Delete nodes by id with their relationships; returns how many existed. */
export function deleteNodes(cube: string, ids: string[]): CypherQuery {
  return q(
    `MATCH (n:${M}) WHERE n.${SYSTEM.cube} = $cube AND n.id IN $ids DETACH DELETE n RETURN count(*) AS deleted`,
    { cube, ids },
  );
}

/** Delete what matches the filter (everything in the cube without one). */
export function deleteWhere(cube: string, filter: FilterNode | undefined): CypherQuery {
  const p = new Params();
  return q(
    `MATCH (n:${M}) WHERE ${cubeWhere("n", cube, filter, p)} DETACH DELETE n RETURN count(*) AS deleted`,
    p,
  );
}

/** Count what matches the filter. */
export function countNodes(cube: string, filter: FilterNode | undefined): CypherQuery {
  const p = new Params();
  return q(`MATCH (n:${M}) WHERE ${cubeWhere("n", cube, filter, p)} RETURN count(n) AS count`, p);
}

/** Paging and order of {@link listNodes}, already validated. */
export interface ListQuery {
  orderBy: "created_at" | "updated_at";
  order: "asc" | "desc";
  offset: number;
  limit: number | undefined;
  /** Return vectors too (exports). */
  withVectors?: boolean;
}

/**
 * List what matches, ordered as SQL does (a missing date sorts first ascending, last descending;
 * ties by id), paged. `orderBy` and `order` are checked against their two values each.
 */
export function listNodes(cube: string, filter: FilterNode | undefined, list: ListQuery): CypherQuery {
  if (list.orderBy !== "created_at" && list.orderBy !== "updated_at")
    throw new Error("orderBy not whitelisted");
  const dir = list.order === "desc" ? "DESC" : "ASC";
  const p = new Params();
  const where = cubeWhere("n", cube, filter, p);
  const page = `SKIP toInteger(${p.add(list.offset)})${list.limit === undefined ? "" : ` LIMIT toInteger(${p.add(list.limit)})`}`;
  const ret = list.withVectors ? "n { .* } AS props" : NODE;
  return q(
    `MATCH (n:${M}) WHERE ${where} RETURN ${ret} ` +
      `ORDER BY n.${list.orderBy} IS NOT NULL ${dir}, n.${list.orderBy} ${dir}, n.id ${dir} ${page}`,
    p,
  );
}

// ---------------------------------------------------------------- search

/**
 * Approximate nearest neighbours from the vector index, then the cube and the filter. `seen` is
 * how many candidates the index gave (fewer than `fetch`: it had no more).
 */
export function vectorCandidates(
  cube: string,
  vector: number[],
  fetch: number,
  filter: FilterNode | undefined,
): CypherQuery {
  const p = new Params();
  const index = p.add(INDEX.vector);
  const k = p.add(fetch);
  const v = p.add(vector);
  const where = cubeWhere("n", cube, filter, p);
  return q(
    `CALL db.index.vector.queryNodes(${index}, toInteger(${k}), ${v}) YIELD node AS n ` +
      `WITH count(n) AS seen, collect(CASE WHEN ${where} THEN {id: n.id, embedding: n.${SYSTEM.embedding}} END) AS rows ` +
      "RETURN seen, rows",
    p,
  );
}

/**
 * Exact ranking among the cube's filtered vectors (`vector.similarity.cosine`, Neo4j ≥ 5.18). The
 * caller re-scores the rows in float64 and fetches a margin beyond k for that.
 */
export function vectorExact(
  cube: string,
  vector: number[],
  limit: number,
  filter: FilterNode | undefined,
): CypherQuery {
  const p = new Params();
  const v = p.add(vector);
  const where = cubeWhere("n", cube, filter, p);
  return q(
    `MATCH (n:${M}) WHERE ${where} AND n.${SYSTEM.embedding} IS NOT NULL ` +
      `WITH n, coalesce(vector.similarity.cosine(n.${SYSTEM.embedding}, ${v}), -1.0) AS similarity ` +
      `ORDER BY similarity DESC, n.id ASC LIMIT toInteger(${p.add(limit)}) ` +
      `RETURN n.id AS id, n.${SYSTEM.embedding} AS embedding`,
    p,
  );
}

/** The best `fetch` full-text hits (BM25), then the cube and filter; `seen` as in vectorCandidates. */
export function keywordCandidates(
  cube: string,
  lucene: string,
  fetch: number,
  filter: FilterNode | undefined,
): CypherQuery {
  const p = new Params();
  const index = p.add(INDEX.text);
  const query = p.add(lucene);
  const limit = p.add(fetch);
  const where = cubeWhere("n", cube, filter, p);
  return q(
    `CALL db.index.fulltext.queryNodes(${index}, ${query}) YIELD node AS n, score ` +
      `WITH n, score LIMIT toInteger(${limit}) ` +
      `WITH count(n) AS seen, collect(CASE WHEN ${where} THEN {id: n.id, score: score} END) AS rows ` +
      "RETURN seen, rows",
    p,
  );
}

/** Every full-text hit in the cube that passes the filter, best k (for selective filters). */
export function keywordAll(
  cube: string,
  lucene: string,
  k: number,
  filter: FilterNode | undefined,
): CypherQuery {
  const p = new Params();
  const index = p.add(INDEX.text);
  const query = p.add(lucene);
  const where = cubeWhere("n", cube, filter, p);
  return q(
    `CALL db.index.fulltext.queryNodes(${index}, ${query}) YIELD node AS n, score WHERE ${where} ` +
      `RETURN n.id AS id, score ORDER BY score DESC, n.id ASC LIMIT toInteger(${p.add(k)})`,
    p,
  );
}

// ---------------------------------------------------------------- edges

/** An edge to write: its ends and its own fields as properties. */
export interface EdgeRow {
  source: string;
  target: string;
  props: Properties;
}

/** The relationship type of a CREATE/MERGE, which Cypher cannot take as a parameter: whitelisted. */
function relationshipType(type: string): EdgeType {
  if (!EDGE_TYPE_SET.has(type)) throw new Error(`edge type ${type} is not whitelisted`);
  return type as EdgeType;
}

/** Add edges of one type once each (MERGE), replacing their properties; returns how many. */
export function mergeEdges(cube: string, type: string, rows: EdgeRow[]): CypherQuery {
  return q(
    `UNWIND $rows AS e MATCH (a:${M} {${SYSTEM.cube}: $cube, id: e.source}) ` +
      `MATCH (b:${M} {${SYSTEM.cube}: $cube, id: e.target}) ` +
      `MERGE (a)-[r:${relationshipType(type)}]->(b) SET r = e.props RETURN count(r) AS written`,
    { cube, rows },
  );
}

/** Remove edges by (source, target, type); returns how many existed. */
export function removeEdges(
  cube: string,
  edges: { source: string; target: string; type: string }[],
): CypherQuery {
  return q(
    `UNWIND $edges AS e MATCH (a:${M} {${SYSTEM.cube}: $cube, id: e.source})-[r]->(b:${M} {${SYSTEM.cube}: $cube, id: e.target}) ` +
      "WHERE type(r) = e.type DELETE r RETURN count(*) AS removed",
    { cube, edges },
  );
}

const PATTERN = { out: "-[r]->", in: "<-[r]-", both: "-[r]-" } as const;

/** The edges at a node by direction and type (our edge types only), with their properties. */
export function edgesAt(
  cube: string,
  id: string,
  direction: "out" | "in" | "both",
  types: readonly string[],
): CypherQuery {
  return q(
    `MATCH (a:${M} {${SYSTEM.cube}: $cube, id: $id})${PATTERN[direction]}(b:${M} {${SYSTEM.cube}: $cube}) ` +
      "WHERE type(r) IN $types WITH DISTINCT r " +
      "RETURN startNode(r).id AS source, endNode(r).id AS target, type(r) AS type, properties(r) AS props",
    { cube, id, types },
  );
}

/** Ids one hop from any of `ids` (both directions), by type: one step of a subgraph walk. */
export function neighborIds(cube: string, ids: string[], types: readonly string[]): CypherQuery {
  return q(
    `MATCH (a:${M})-[r]-(b:${M}) WHERE a.${SYSTEM.cube} = $cube AND a.id IN $ids ` +
      `AND b.${SYSTEM.cube} = $cube AND type(r) IN $types RETURN DISTINCT b.id AS id`,
    { cube, ids, types },
  );
}

/** The edges among `ids` (all of the cube's edges when ids is null), by type. */
export function edgesAmong(cube: string, ids: string[] | null, types: readonly string[]): CypherQuery {
  const among = ids === null ? "" : " AND a.id IN $ids AND b.id IN $ids";
  return q(
    `MATCH (a:${M})-[r]->(b:${M}) WHERE a.${SYSTEM.cube} = $cube AND b.${SYSTEM.cube} = $cube${among} ` +
      "AND type(r) IN $types RETURN a.id AS source, b.id AS target, type(r) AS type, properties(r) AS props",
    ids === null ? { cube, types } : { cube, ids, types },
  );
}
