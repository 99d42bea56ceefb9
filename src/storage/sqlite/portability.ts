import { InvalidInputError } from "../../core/errors/index.js";
import type { TextualMemoryExport } from "../../core/schema/memory.js";
import { importParams } from "../shared/store-input.js";
import { prepareItem } from "../shared/validate.js";
import { toVector } from "../shared/vector-input.js";
import type { SqliteContext } from "./context.js";
import type { ItemRows } from "./item-rows.js";
import { type EdgeRow, type ItemRow, toEdge, toItem } from "./rows.js";
import { blobToVector } from "./vectors.js";

/** What `checkIntegrity` found. `ok` is true when `problems` is empty. */
export interface IntegrityReport {
  ok: boolean;
  problems: string[];
  items: number;
  vectors: number;
  keywordRows: number;
  edges: number;
}

/**
 * A cube in and out of SQLite: export and import in MemOS's `textual_memory.json` shape
 * (embeddings in metadata), and the integrity check of the file and its derived rows.
 */
export class SqlitePortability {
  constructor(
    private readonly ctx: SqliteContext,
    private readonly rows: ItemRows,
  ) {}

  exportAll(): TextualMemoryExport {
    const { ctx } = this;
    return ctx.read(() => {
      const vectors = new Map<number, Float32Array>();
      if (ctx.dims !== undefined) {
        for (const r of ctx.stmt("SELECT rowid AS rid, embedding FROM vec_items").all() as {
          rid: number;
          embedding: Buffer;
        }[]) {
          vectors.set(r.rid, blobToVector(r.embedding));
        }
      }
      const nodes = (
        ctx
          .stmt("SELECT rid, id, memory, json(metadata) AS metadata FROM items ORDER BY rid")
          .all() as ItemRow[]
      ).map((row) => {
        const item = toItem(row);
        const v = vectors.get(row.rid);
        if (v) item.metadata.embedding = Array.from(v);
        return item;
      });
      const edges = (
        ctx
          .stmt("SELECT source, target, type, metadata FROM edges ORDER BY source, target, type")
          .all() as EdgeRow[]
      ).map(toEdge);
      return { nodes, edges, total_nodes: nodes.length, total_edges: edges.length };
    });
  }

  importAll(data: TextualMemoryExport, options: { mode?: "replace" | "merge" } = {}): void {
    const { nodes, edges, mode } = importParams(data, options);
    const { ctx, rows } = this;
    ctx.write(() => {
      if (mode === "replace") rows.wipe();
      nodes.forEach((node, i) => {
        const { embedding, ...metadata } = node.metadata;
        let vector: Float32Array | undefined;
        if (embedding && embedding.length > 0) {
          if (ctx.dims === undefined) ctx.ensureDimensions(embedding.length);
          // A vector of another size came from another embedder: keep the memory, drop the
          // vector, and let the caller re-embed it.
          if (embedding.length === ctx.dims) vector = toVector(embedding, `nodes[${i}].metadata.embedding`);
        }
        rows.putItem(
          prepareItem(
            { item: { ...node, metadata }, ...(vector ? { embedding: vector } : {}) },
            `nodes[${i}]`,
          ),
        );
      });
      edges.forEach((e, i) => {
        for (const end of [e.source, e.target]) {
          if (rows.ridOf(end) === undefined) {
            throw new InvalidInputError({
              message: `import data: edges[${i}] (${e.source} -${e.type}-> ${e.target}) names memory ${end}, which is neither in the import nor in the cube`,
              hint: "remove the edge or include its memories; nothing was imported",
            });
          }
        }
        rows.insertEdge(e);
      });
    });
  }

  /**
   * Check the file and the agreement between items, vectors and keyword rows: every vector and
   * keyword row belongs to an item, every item has a keyword row, and edges point at items.
   */
  checkIntegrity(): IntegrityReport {
    const { ctx } = this;
    const { db } = ctx;
    return ctx.read(() => {
      const problems: string[] = [];
      const integrity = (db.pragma("integrity_check") as { integrity_check: string }[]).map(
        (r) => r.integrity_check,
      );
      if (integrity.join() !== "ok") problems.push(...integrity.map((m) => `integrity_check: ${m}`));
      const fk = db.pragma("foreign_key_check") as unknown[];
      if (fk.length > 0) problems.push(`${fk.length} edge(s) point at missing memories`);
      try {
        db.exec("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')");
      } catch (error) {
        problems.push(`keyword index: ${(error as Error).message}`);
      }
      const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      const items = n("SELECT count(*) AS n FROM items");
      const keywordRows = n("SELECT count(*) AS n FROM items_fts");
      const edges = n("SELECT count(*) AS n FROM edges");
      const noKeyword = n("SELECT count(*) AS n FROM items WHERE rid NOT IN (SELECT rowid FROM items_fts)");
      const strayKeyword = n(
        "SELECT count(*) AS n FROM items_fts WHERE rowid NOT IN (SELECT rid FROM items)",
      );
      if (noKeyword) problems.push(`${noKeyword} memory(ies) have no keyword row`);
      if (strayKeyword) problems.push(`${strayKeyword} keyword row(s) belong to no memory`);
      let vectors = 0;
      if (ctx.dims !== undefined) {
        vectors = n("SELECT count(*) AS n FROM vec_items");
        const strayVectors = n(
          "SELECT count(*) AS n FROM vec_items WHERE rowid NOT IN (SELECT rid FROM items)",
        );
        if (strayVectors) problems.push(`${strayVectors} vector(s) belong to no memory`);
      }
      return { ok: problems.length === 0, problems, items, vectors, keywordRows, edges };
    });
  }
}
