/**
 * Edges as Neo4j relationships (one relationship type per edge type, from the fixed list), and
 * walks over them. Subgraphs are walked one hop per query from the frontier, so no path is ever
 * enumerated and no depth is written into Cypher text.
 */
import { InvalidInputError, NotFoundError } from "../../core/errors/index.js";
import type { NeighborOptions, Subgraph } from "../../core/interfaces/store.js";
import { EDGE_TYPES, type EdgeType, type MemoryEdge } from "../../core/schema/memory.js";
import { compareIds } from "../shared/search-strategy.js";
import { assertDepth, assertId, assertIds, edgeDirection, edgeTypes, parseEdge } from "../shared/validate.js";
import * as cypher from "./cypher.js";
import { readNodes } from "./items.js";
import { edgeFromProperties, edgeProperties } from "./properties.js";
import type { Row, RunQuery } from "./server.js";

function toEdges(rows: Row[]): MemoryEdge[] {
  return rows
    .map((r) =>
      edgeFromProperties(r.source as string, r.target as string, r.type as string, (r.props as Row) ?? {}),
    )
    .sort(
      (a, b) =>
        compareIds(a.source, b.source) || compareIds(a.target, b.target) || compareIds(a.type, b.type),
    );
}

function expectArray(edges: unknown, what: string): void {
  if (!Array.isArray(edges)) {
    throw new InvalidInputError({
      message: `${what} expects an array`,
      hint: "pass a list of {source, target, type}",
    });
  }
}

/**
 * Add edges (once each; a repeated edge gets the new fields). Both ends must be in the cube:
 * `missing` makes the error (NotFoundError for addEdges, InvalidInputError for imports).
 */
export async function mergeEdges(
  run: RunQuery,
  cube: string,
  edges: MemoryEdge[],
  missing: (edge: MemoryEdge, id: string) => Error,
): Promise<void> {
  if (edges.length === 0) return;
  const ends = [...new Set(edges.flatMap((e) => [e.source, e.target]))];
  const present = new Set((await run(cypher.existingIds(cube, ends))).map((r) => r.id as string));
  for (const e of edges) {
    for (const end of [e.source, e.target]) if (!present.has(end)) throw missing(e, end);
  }
  const byType = new Map<string, cypher.EdgeRow[]>();
  for (const e of edges) {
    const rows = byType.get(e.type) ?? [];
    rows.push({ source: e.source, target: e.target, props: edgeProperties(e) });
    byType.set(e.type, rows);
  }
  for (const [type, rows] of byType) await run(cypher.mergeEdges(cube, type, rows));
}

/** Validate and add edges (MemoryStore.addEdges). */
export async function addEdges(run: RunQuery, cube: string, edges: MemoryEdge[]): Promise<void> {
  expectArray(edges, "addEdges");
  const parsed = edges.map((e, i) => parseEdge(e, `edges[${i}]`));
  await mergeEdges(
    run,
    cube,
    parsed,
    (e, end) =>
      new NotFoundError({
        message: `edge ${e.source} -${e.type}-> ${e.target}: memory ${end} not found; no edge of this batch was added`,
        hint: "add both memories before the edge between them",
      }),
  );
}

/** Remove edges; returns how many existed. */
export async function removeEdges(
  run: RunQuery,
  cube: string,
  edges: Pick<MemoryEdge, "source" | "target" | "type">[],
): Promise<number> {
  expectArray(edges, "removeEdges");
  const keys = new Map<string, { source: string; target: string; type: string }>();
  edges.forEach((e, i) => {
    const p = parseEdge(e, `edges[${i}]`);
    keys.set(JSON.stringify([p.source, p.target, p.type]), {
      source: p.source,
      target: p.target,
      type: p.type,
    });
  });
  if (keys.size === 0) return 0;
  const [result] = await run(cypher.removeEdges(cube, [...keys.values()]));
  return Number(result?.removed ?? 0);
}

/** Edges at a node by direction and type. */
export async function edgesAt(
  run: RunQuery,
  cube: string,
  id: string,
  options: NeighborOptions = {},
): Promise<MemoryEdge[]> {
  assertId(id, "getEdges id");
  const direction = edgeDirection(options.direction);
  const types = edgeTypes(options.types) ?? EDGE_TYPES;
  return toEdges(await run(cypher.edgesAt(cube, id, direction, types)));
}

/** Ids one hop away. */
export async function neighbors(
  run: RunQuery,
  cube: string,
  id: string,
  options: NeighborOptions = {},
): Promise<string[]> {
  const out = new Set<string>();
  for (const e of await edgesAt(run, cube, id, options)) out.add(e.source === id ? e.target : e.source);
  return [...out];
}

/** Nodes within `depth` hops of the seeds (both directions), and the edges among them. */
export async function subgraph(
  run: RunQuery,
  cube: string,
  seedIds: string[],
  depth: number,
  options: { types?: EdgeType[] } = {},
): Promise<Subgraph> {
  assertIds(seedIds, "subgraph seeds");
  assertDepth(depth);
  const types = edgeTypes(options.types) ?? EDGE_TYPES;
  const seeds = (await readNodes(run, cube, seedIds)).map((n) => n.id);
  const seen = new Set(seeds);
  let frontier = seeds;
  for (let hop = 0; hop < depth && frontier.length > 0; hop++) {
    const next = (await run(cypher.neighborIds(cube, frontier, types))).map((r) => r.id as string);
    frontier = next.filter((id) => !seen.has(id));
    for (const id of frontier) seen.add(id);
  }
  const ids = [...seen];
  if (ids.length === 0) return { nodes: [], edges: [] };
  const nodes = await readNodes(run, cube, ids);
  const edges = toEdges(await run(cypher.edgesAmong(cube, ids, types)));
  return { nodes, edges };
}

/** Every edge of the cube (exports). */
export async function allEdges(run: RunQuery, cube: string): Promise<MemoryEdge[]> {
  return toEdges(await run(cypher.edgesAmong(cube, null, EDGE_TYPES)));
}
