import { InvalidInputError, NotFoundError } from "../../core/errors/index.js";
import type { NeighborOptions, Subgraph } from "../../core/interfaces/store.js";
import type { EdgeType, MemoryEdge } from "../../core/schema/memory.js";
import { assertDepth, assertId, assertIds, edgeDirection, edgeTypes, parseEdge } from "../shared/validate.js";
import type { SqliteContext } from "./context.js";
import type { ItemRows } from "./item-rows.js";
import { type EdgeRow, type ItemRow, toEdge, toItem } from "./rows.js";

function expectArray(edges: unknown, what: string): void {
  if (!Array.isArray(edges)) {
    throw new InvalidInputError({
      message: `${what} expects an array`,
      hint: "pass a list of {source, target, type}",
    });
  }
}

/** The graph half of MemoryStore on SQLite: typed edges, neighbours, and recursive-CTE subgraphs. */
export class SqliteGraph {
  constructor(
    private readonly ctx: SqliteContext,
    private readonly rows: ItemRows,
  ) {}

  addEdges(edges: MemoryEdge[]): void {
    expectArray(edges, "addEdges");
    const parsed = edges.map((e, i) => parseEdge(e, `edges[${i}]`));
    if (parsed.length === 0) return;
    this.ctx.write(() => {
      for (const e of parsed) {
        for (const end of [e.source, e.target]) {
          if (this.rows.ridOf(end) === undefined) {
            throw new NotFoundError({
              message: `edge ${e.source} -${e.type}-> ${e.target}: memory ${end} not found; no edge of this batch was added`,
              hint: "add both memories before the edge between them",
            });
          }
        }
        this.rows.insertEdge(e);
      }
    });
  }

  removeEdges(edges: Pick<MemoryEdge, "source" | "target" | "type">[]): number {
    expectArray(edges, "removeEdges");
    const keys = edges.map((e, i) => {
      const p = parseEdge(e, `edges[${i}]`);
      return [p.source, p.target, p.type] as const;
    });
    return this.ctx.write(() => {
      let n = 0;
      for (const k of keys)
        n += this.ctx
          .stmt("DELETE FROM edges WHERE source = ? AND target = ? AND type = ?")
          .run(...k).changes;
      return n;
    });
  }

  getEdges(id: string, options: NeighborOptions = {}): MemoryEdge[] {
    assertId(id, "getEdges id");
    const types = edgeTypes(options.types);
    const direction = edgeDirection(options.direction);
    let where: string;
    let params: unknown[];
    if (direction === "out") [where, params] = ["source = ?", [id]];
    else if (direction === "in") [where, params] = ["target = ?", [id]];
    else [where, params] = ["(source = ? OR target = ?)", [id, id]];
    if (types) {
      where += " AND type IN (SELECT value FROM json_each(?))";
      params.push(JSON.stringify(types));
    }
    const rows = this.ctx
      .stmt(`SELECT source, target, type, metadata FROM edges WHERE ${where} ORDER BY source, target, type`)
      .all(...params) as EdgeRow[];
    return rows.map(toEdge);
  }

  neighbors(id: string, options: NeighborOptions = {}): string[] {
    const out = new Set<string>();
    for (const e of this.getEdges(id, options)) out.add(e.source === id ? e.target : e.source);
    return [...out];
  }

  subgraph(seedIds: string[], depth: number, options: { types?: EdgeType[] } = {}): Subgraph {
    assertIds(seedIds, "subgraph seeds");
    assertDepth(depth);
    const types = edgeTypes(options.types);
    if (seedIds.length === 0) return { nodes: [], edges: [] };
    const typeSql = types ? " AND e.type IN (SELECT value FROM json_each(?))" : "";
    const typeParams = types ? [JSON.stringify(types)] : [];
    const { ctx } = this;
    return ctx.read(() => {
      // UNION (not UNION ALL) drops repeated (id, hop) pairs, so cycles cannot grow the walk.
      const ids = (
        ctx
          .stmt(
            `WITH RECURSIVE reach(id, hop) AS (
             SELECT id, 0 FROM items WHERE id IN (SELECT value FROM json_each(?))
             UNION
             SELECT e.target, r.hop + 1 FROM reach r JOIN edges e ON e.source = r.id WHERE r.hop < ?${typeSql}
             UNION
             SELECT e.source, r.hop + 1 FROM reach r JOIN edges e ON e.target = r.id WHERE r.hop < ?${typeSql}
           )
           SELECT DISTINCT id FROM reach`,
          )
          .all(JSON.stringify(seedIds), depth, ...typeParams, depth, ...typeParams) as { id: string }[]
      ).map((r) => r.id);
      const idJson = JSON.stringify(ids);
      const nodes = (
        ctx
          .stmt(
            "SELECT rid, id, memory, json(metadata) AS metadata FROM items WHERE id IN (SELECT value FROM json_each(?)) ORDER BY rid",
          )
          .all(idJson) as ItemRow[]
      ).map(toItem);
      const edges = (
        ctx
          .stmt(
            `WITH n(id) AS (SELECT value FROM json_each(?))
           SELECT e.source, e.target, e.type, e.metadata FROM edges e
           WHERE e.source IN n AND e.target IN n${typeSql}
           ORDER BY e.source, e.target, e.type`,
          )
          .all(idJson, ...typeParams) as EdgeRow[]
      ).map(toEdge);
      return { nodes, edges };
    });
  }
}
