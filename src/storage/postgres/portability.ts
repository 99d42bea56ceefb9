import { InvalidInputError } from "../../core/errors/index.js";
import type { MemoryEdge, TextualMemoryExport, TextualMemoryItem } from "../../core/schema/memory.js";
import { type PreparedItem, prepareItem } from "../shared/validate.js";
import { toVector } from "../shared/vector-input.js";
import { allEdges, missingIds, writeEdges } from "./graph.js";
import { ensureDimensions, type ItemRow, toItem, writeRows } from "./items.js";
import type { CubeState, Session } from "./session.js";
import { parseVector } from "./sql.js";

/** MemOS `textual_memory.json` out of the cube: nodes in insertion order, embeddings in metadata. */
export async function exportAll(s: Session, cube: CubeState): Promise<TextualMemoryExport> {
  const { rows } = await s.query<ItemRow & { embedding: string | null }>(
    `SELECT i.id, i.memory, i.metadata, i.embedding::text AS embedding
     FROM memos_items i WHERE i.cube = ? ORDER BY i.seq`,
    [cube.cube],
  );
  const nodes = rows.map((row) => {
    const item = toItem(row);
    if (row.embedding !== null) item.metadata.embedding = Array.from(parseVector(row.embedding));
    return item;
  });
  const edges = await allEdges(s, cube);
  return { nodes, edges, total_nodes: nodes.length, total_edges: edges.length };
}

/** Load an export (run inside the caller's transaction): replace wipes the cube first, merge upserts. */
export async function importAll(
  s: Session,
  cube: CubeState,
  data: { nodes: TextualMemoryItem[]; edges: MemoryEdge[] },
  mode: "replace" | "merge",
): Promise<void> {
  const { nodes, edges } = data;
  if (mode === "replace") await s.query("DELETE FROM memos_items WHERE cube = ?", [cube.cube]);
  const prepared: PreparedItem[] = [];
  for (const [i, node] of nodes.entries()) {
    const { embedding, ...metadata } = node.metadata;
    let vector: Float32Array | undefined;
    if (embedding && embedding.length > 0) {
      if (cube.dims === undefined) await ensureDimensions(s, cube, embedding.length);
      // A vector of another size came from another embedder: keep the memory, drop the vector,
      // and let the caller re-embed it.
      if (embedding.length === cube.dims) vector = toVector(embedding, `nodes[${i}].metadata.embedding`);
    }
    prepared.push(
      prepareItem({ item: { ...node, metadata }, ...(vector ? { embedding: vector } : {}) }, `nodes[${i}]`),
    );
  }
  // One statement cannot touch a row twice: the last node of a repeated id wins, as in order.
  const byId = new Map<string, PreparedItem>();
  for (const p of prepared) {
    byId.delete(p.id);
    byId.set(p.id, p);
  }
  if (byId.size > 0) await writeRows(s, cube, [...byId.values()], true);
  const missing = await missingIds(
    s,
    cube,
    edges.flatMap((e) => [e.source, e.target]),
  );
  if (missing.length > 0) {
    const i = edges.findIndex((e) => missing.includes(e.source) || missing.includes(e.target));
    const e = edges[i] as (typeof edges)[number];
    throw new InvalidInputError({
      message: `import data: edges[${i}] (${e.source} -${e.type}-> ${e.target}) names memory ${missing[0]}, which is neither in the import nor in the cube`,
      hint: "remove the edge or include its memories; nothing was imported",
    });
  }
  await writeEdges(s, cube, edges);
}
