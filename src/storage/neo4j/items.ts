/**
 * Memory nodes: writes (with their vectors, verified before the write is acknowledged) and reads.
 * Every function runs inside the caller's transaction (`scope.run`), so a batch commits whole.
 */
import { NotFoundError, StorageError } from "../../core/errors/index.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { assertDistinctIds } from "../shared/store-input.js";
import type { PreparedItem } from "../shared/validate.js";
import * as cypher from "./cypher.js";
import { itemFromProperties, itemProperties } from "./properties.js";
import type { Row, RunQuery } from "./server.js";

/** A write's view of the store: its transaction, cube and vector dimension. */
export interface WriteScope {
  run: RunQuery;
  cube: string;
  /** The cube's vector dimension, once known (including one fixed earlier in this transaction). */
  dimensions(): number | undefined;
  /** Record the dimension the first vector fixed (committed with the transaction). */
  fixDimensions(dimensions: number): void;
}

/** Nodes per UNWIND: big imports go in slices of this many. */
const SLICE = 1000;

function slices<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += SLICE) out.push(xs.slice(i, i + SLICE));
  return out;
}

/** Check every vector against the cube's dimension, fixing it with the first one. */
async function checkDimensions(scope: WriteScope, items: PreparedItem[]): Promise<void> {
  for (const item of items) {
    if (!item.vector) continue;
    const dims = scope.dimensions();
    if (dims === undefined) {
      await scope.run(cypher.setCubeDimensions(scope.cube, item.vector.length));
      scope.fixDimensions(item.vector.length);
    } else if (item.vector.length !== dims) {
      throw new StorageError({
        message: `memory ${item.id}: its embedding has ${item.vector.length} dimensions, the cube's vectors have ${dims}; nothing was written`,
        hint: "embed with the cube's embedder (or re-embed the cube when changing embedders)",
      });
    }
  }
}

function row(item: PreparedItem, cube: string): cypher.NodeRow {
  const props = itemProperties(
    { id: item.id, memory: item.memory, metadata: item.metadata } as TextualMemoryItem,
    cube,
  );
  return { props, vector: item.vector ? Array.from(item.vector) : null };
}

/**
 * Acknowledge a write only when every vector it wrote is stored with the cube's dimension
 * (MemOS users hit a Neo4j store that silently never wrote its vectors).
 */
async function verifyVectors(scope: WriteScope, items: PreparedItem[]): Promise<void> {
  const ids = items.filter((i) => i.vector).map((i) => i.id);
  const dims = scope.dimensions();
  if (ids.length === 0 || dims === undefined) return;
  for (const part of slices(ids)) {
    const [result] = await scope.run(cypher.countVectors(scope.cube, part, dims));
    const stored = Number(result?.stored ?? 0);
    if (stored !== part.length) {
      throw new StorageError({
        message: `Neo4j stored ${stored} of ${part.length} vectors of this write; nothing was written`,
        hint: "check the server's logs; the write was rolled back",
      });
    }
  }
}

/** Add new memories; an id the batch repeats or the cube holds fails the whole batch. */
export async function addNodes(scope: WriteScope, items: PreparedItem[]): Promise<void> {
  assertDistinctIds(items.map((i) => i.id));
  const existing = await scope.run(
    cypher.existingIds(
      scope.cube,
      items.map((i) => i.id),
    ),
  );
  if (existing.length > 0) {
    throw new StorageError({
      message: `addItems: memory ${String(existing[0]?.id)} already exists; nothing was written`,
      hint: "use upsertItems or updateItem to replace a memory",
    });
  }
  await checkDimensions(scope, items);
  for (const part of slices(items)) await scope.run(cypher.createNodes(part.map((i) => row(i, scope.cube))));
  await verifyVectors(scope, items);
}

/** Insert or replace memories by id, keeping a stored vector unless a new one is given. */
export async function upsertNodes(scope: WriteScope, items: PreparedItem[]): Promise<void> {
  await checkDimensions(scope, items);
  for (const part of slices(items)) {
    await scope.run(
      cypher.upsertNodes(
        scope.cube,
        part.map((i) => row(i, scope.cube)),
      ),
    );
  }
  await verifyVectors(scope, items);
}

/** Replace one memory; NotFoundError when the cube has no such id. */
export async function updateNode(scope: WriteScope, item: PreparedItem): Promise<void> {
  await checkDimensions(scope, [item]);
  const [result] = await scope.run(cypher.updateNode(scope.cube, item.id, row(item, scope.cube)));
  if (Number(result?.updated ?? 0) === 0) {
    throw new NotFoundError({ message: `no memory ${item.id}`, hint: "add it first, or use upsertItems" });
  }
  await verifyVectors(scope, [item]);
}

/** Memories by id, in the order asked, missing ids left out. */
export async function readNodes(run: RunQuery, cube: string, ids: string[]): Promise<TextualMemoryItem[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const found = new Map<string, TextualMemoryItem>();
  for (const part of slices(unique)) {
    for (const r of await run(cypher.getNodes(cube, part))) {
      const item = itemFromProperties(r.props as Row);
      found.set(item.id, item);
    }
  }
  return unique.flatMap((id) => found.get(id) ?? []);
}

/** A memory's vector, or null. */
export async function readVector(run: RunQuery, cube: string, id: string): Promise<Float32Array | null> {
  const [result] = await run(cypher.getVector(cube, id));
  const embedding = result?.embedding;
  return Array.isArray(embedding) ? Float32Array.from(embedding as number[]) : null;
}
