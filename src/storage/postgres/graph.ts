import { InvalidInputError, NotFoundError } from "../../core/errors/index.js";
import type { NeighborOptions, Subgraph } from "../../core/interfaces/store.js";
import type { EdgeType, MemoryEdge } from "../../core/schema/memory.js";
import { assertDepth, assertId, assertIds, edgeDirection, edgeTypes, parseEdge } from "../shared/validate.js";
import { type ItemRow, toItem } from "./items.js";
import type { CubeState, Session } from "./session.js";

interface EdgeRow {
  source: string;
  target: string;
  type: string;
  metadata: Record<string, unknown>;
}

function toEdge(row: EdgeRow): MemoryEdge {
  return { source: row.source, target: row.target, type: row.type as EdgeType, ...row.metadata };
}

function expectArray(edges: unknown, what: string): void {
  if (!Array.isArray(edges)) {
    throw new InvalidInputError({
      message: `${what} expects an array`,
      hint: "pass a list of {source, target, type}",
    });
  }
}

export function parseEdges(edges: MemoryEdge[], what: string): MemoryEdge[] {
  expectArray(edges, what);
  return edges.map((e, i) => parseEdge(e, `edges[${i}]`));
}

/** The ids of `ids` that are not memories of the cube. */
export async function missingIds(s: Session, cube: CubeState, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const { rows } = await s.query<{ id: string }>(
    "SELECT id FROM memos_items WHERE cube = ? AND id = ANY(?::text[])",
    [cube.cube, unique],
  );
  const found = new Set(rows.map((r) => r.id));
  return unique.filter((id) => !found.has(id));
}

/** Insert edges, replacing the metadata of those that exist; the last of a repeated edge wins. */
export async function writeEdges(s: Session, cube: CubeState, edges: MemoryEdge[]): Promise<void> {
  const byKey = new Map<string, MemoryEdge>();
  for (const e of edges) {
    const key = JSON.stringify([e.source, e.target, e.type]);
    byKey.delete(key);
    byKey.set(key, e);
  }
  const list = [...byKey.values()];
  if (list.length === 0) return;
  await s.query(
    `INSERT INTO memos_edges (cube, source, target, type, metadata)
     SELECT ?, t.source, t.target, t.type, t.metadata
     FROM unnest(?::text[], ?::text[], ?::text[], ?::jsonb[]) AS t(source, target, type, metadata)
     ON CONFLICT (cube, source, target, type) DO UPDATE SET metadata = excluded.metadata`,
    [
      cube.cube,
      list.map((e) => e.source),
      list.map((e) => e.target),
      list.map((e) => e.type),
      list.map(({ source: _s, target: _t, type: _y, ...rest }) => JSON.stringify(rest)),
    ],
  );
}

export async function addEdges(s: Session, cube: CubeState, parsed: MemoryEdge[]): Promise<void> {
  const missing = await missingIds(
    s,
    cube,
    parsed.flatMap((e) => [e.source, e.target]),
  );
  if (missing.length > 0) {
    const e = parsed.find((x) => missing.includes(x.source) || missing.includes(x.target)) as MemoryEdge;
    throw new NotFoundError({
      message: `edge ${e.source} -${e.type}-> ${e.target}: memory ${missing[0]} not found; no edge of this batch was added`,
      hint: "add both memories before the edge between them",
    });
  }
  await writeEdges(s, cube, parsed);
}

export async function removeEdges(s: Session, cube: CubeState, parsed: MemoryEdge[]): Promise<number> {
  if (parsed.length === 0) return 0;
  const { rowCount } = await s.query(
    `DELETE FROM memos_edges e USING unnest(?::text[], ?::text[], ?::text[]) AS t(source, target, type)
     WHERE e.cube = ? AND e.source = t.source AND e.target = t.target AND e.type = t.type`,
    [parsed.map((e) => e.source), parsed.map((e) => e.target), parsed.map((e) => e.type), cube.cube],
  );
  return rowCount;
}

const EDGE_COLUMNS = "e.source, e.target, e.type, e.metadata";

export async function getEdges(
  s: Session,
  cube: CubeState,
  id: string,
  options: NeighborOptions = {},
): Promise<MemoryEdge[]> {
  assertId(id, "getEdges id");
  const types = edgeTypes(options.types);
  const direction = edgeDirection(options.direction);
  let where: string;
  let params: unknown[];
  if (direction === "out") [where, params] = ["e.source = ?", [id]];
  else if (direction === "in") [where, params] = ["e.target = ?", [id]];
  else [where, params] = ["(e.source = ? OR e.target = ?)", [id, id]];
  if (types) {
    where += " AND e.type = ANY(?::text[])";
    params.push(types);
  }
  const { rows } = await s.query<EdgeRow>(
    `SELECT ${EDGE_COLUMNS} FROM memos_edges e WHERE e.cube = ? AND ${where} ORDER BY e.source, e.target, e.type`,
    [cube.cube, ...params],
  );
  return rows.map(toEdge);
}

/** Outgoing edges of many memories at once (for export and migration), in (source, target, type) order. */
export async function edgesFrom(s: Session, cube: CubeState, ids: string[]): Promise<MemoryEdge[]> {
  assertIds(ids, "edgesFrom");
  if (ids.length === 0) return [];
  const { rows } = await s.query<EdgeRow>(
    `SELECT ${EDGE_COLUMNS} FROM memos_edges e WHERE e.cube = ? AND e.source = ANY(?::text[])
     ORDER BY e.source, e.target, e.type`,
    [cube.cube, ids],
  );
  return rows.map(toEdge);
}

export async function allEdges(s: Session, cube: CubeState): Promise<MemoryEdge[]> {
  const { rows } = await s.query<EdgeRow>(
    `SELECT ${EDGE_COLUMNS} FROM memos_edges e WHERE e.cube = ? ORDER BY e.source, e.target, e.type`,
    [cube.cube],
  );
  return rows.map(toEdge);
}

export async function neighbors(s: Session, cube: CubeState, id: string, options: NeighborOptions = {}) {
  const out = new Set<string>();
  for (const e of await getEdges(s, cube, id, options)) out.add(e.source === id ? e.target : e.source);
  return [...out];
}

export async function subgraph(
  s: Session,
  cube: CubeState,
  seedIds: string[],
  depth: number,
  options: { types?: EdgeType[] } = {},
): Promise<Subgraph> {
  assertIds(seedIds, "subgraph seeds");
  assertDepth(depth);
  const types = edgeTypes(options.types);
  if (seedIds.length === 0) return { nodes: [], edges: [] };
  const typeSql = types ? " AND e.type = ANY(?::text[])" : "";
  const typeParams = types ? [types] : [];
  // UNION (not UNION ALL) drops repeated (id, hop) pairs, so cycles cannot grow the walk; the
  // hop bound ends it. One recursive term walks both directions (PostgreSQL allows one).
  const { rows: idRows } = await s.query<{ id: string }>(
    `WITH RECURSIVE reach(id, hop) AS (
       SELECT id, 0 FROM memos_items WHERE cube = ? AND id = ANY(?::text[])
       UNION
       SELECT CASE WHEN e.source = r.id THEN e.target ELSE e.source END, r.hop + 1
       FROM reach r JOIN memos_edges e ON e.cube = ? AND (e.source = r.id OR e.target = r.id)
       WHERE r.hop < ?${typeSql}
     )
     SELECT DISTINCT id FROM reach`,
    [cube.cube, seedIds, cube.cube, depth, ...typeParams],
  );
  const ids = idRows.map((r) => r.id);
  const { rows: nodeRows } = await s.query<ItemRow>(
    "SELECT i.id, i.memory, i.metadata FROM memos_items i WHERE i.cube = ? AND i.id = ANY(?::text[]) ORDER BY i.seq",
    [cube.cube, ids],
  );
  const { rows: edgeRows } = await s.query<EdgeRow>(
    `SELECT ${EDGE_COLUMNS} FROM memos_edges e
     WHERE e.cube = ? AND e.source = ANY(?::text[]) AND e.target = ANY(?::text[])${typeSql}
     ORDER BY e.source, e.target, e.type`,
    [cube.cube, ids, ids, ...typeParams],
  );
  return { nodes: nodeRows.map(toItem), edges: edgeRows.map(toEdge) };
}
