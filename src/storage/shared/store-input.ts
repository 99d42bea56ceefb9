/**
 * Input checks every MemoryStore makes the same way (SQLite, PostgreSQL, Neo4j, Qdrant), so a bad argument
 * is the same InvalidInputError or StorageError whichever store is behind the interface.
 */
import { InvalidInputError, StorageError } from "../../core/errors/index.js";
import type { ListOptions } from "../../core/interfaces/store.js";
import { type MemoryEdge, TextualMemoryExport, type TextualMemoryItem } from "../../core/schema/memory.js";
import { assertCount } from "./validate.js";

/** `listItems` paging and order, checked, with their defaults. */
export interface ListParams {
  limit: number | undefined;
  offset: number;
  orderBy: "created_at" | "updated_at";
  order: "asc" | "desc";
}

/**
 * Check `listItems` options (order field and direction from their two values each, counts).
 *
 * @example
 * const { limit, offset, orderBy, order } = listParams({ limit: 10, order: "desc" });
 */
export function listParams(options: ListOptions): ListParams {
  const { limit, offset = 0, orderBy = "created_at", order = "asc" } = options;
  if (orderBy !== "created_at" && orderBy !== "updated_at") {
    throw new InvalidInputError({
      message: `orderBy must be "created_at" or "updated_at", got ${String(orderBy)}`,
      hint: 'e.g. {orderBy: "updated_at"}',
    });
  }
  if (order !== "asc" && order !== "desc") {
    throw new InvalidInputError({
      message: `order must be "asc" or "desc", got ${String(order)}`,
      hint: 'e.g. {order: "desc"}',
    });
  }
  if (limit !== undefined) assertCount(limit, "limit");
  assertCount(offset, "offset");
  return { limit, offset, orderBy, order };
}

/**
 * Check `importAll` arguments: the mode, and the data as MemOS's `textual_memory.json`.
 *
 * @example
 * const { nodes, edges, mode } = importParams(data, { mode: "replace" });
 */
export function importParams(
  data: TextualMemoryExport,
  options: { mode?: "replace" | "merge" },
): { nodes: TextualMemoryItem[]; edges: MemoryEdge[]; mode: "replace" | "merge" } {
  const mode = options.mode ?? "merge";
  if (mode !== "replace" && mode !== "merge") {
    throw new InvalidInputError({
      message: `import mode must be "replace" or "merge", got ${String(mode)}`,
      hint: 'e.g. {mode: "merge"}',
    });
  }
  const parsed = TextualMemoryExport.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError({
      message: `import data: ${issue?.path.join(".") || "(root)"} ${issue?.message ?? "is invalid"}`,
      hint: "expected MemOS textual_memory.json: {nodes: [{id, memory, metadata}], edges: [{source, target, type}]}",
    });
  }
  return { nodes: parsed.data.nodes, edges: parsed.data.edges, mode };
}

/**
 * An `addItems` batch names each id once (a repeat would be an upsert in disguise).
 *
 * @example
 * assertDistinctIds(prepared.map((p) => p.id));
 */
export function assertDistinctIds(ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) {
      throw new StorageError({
        message: `id ${id} appears twice in this batch; nothing was written`,
        hint: "give every memory its own id (newId()), or use upsertItems",
      });
    }
    seen.add(id);
  }
}

/** Default annThreshold of a store with an approximate index: below it an exact scan takes a few ms. */
export const DEFAULT_ANN_THRESHOLD = 20_000;

/**
 * Check a store's `annThreshold` option (vectors in a cube before an approximate index answers)
 * and apply its default.
 *
 * @example
 * annThresholdOption(undefined); // 20000; Infinity keeps vector search exact
 */
export function annThresholdOption(annThreshold: number = DEFAULT_ANN_THRESHOLD): number {
  if (!(annThreshold === Number.POSITIVE_INFINITY || (Number.isInteger(annThreshold) && annThreshold >= 0))) {
    throw new InvalidInputError({
      message: `annThreshold must be a non-negative integer or Infinity, got ${annThreshold}`,
      hint: `e.g. {annThreshold: ${DEFAULT_ANN_THRESHOLD}}; Infinity keeps vector search exact`,
    });
  }
  return annThreshold;
}

/**
 * Check a store's `dimensions` option against the largest vector the store holds.
 *
 * @example
 * dimensionsOption(384, 16_384); // passes; 0 or 20_000 throw InvalidInputError
 */
export function dimensionsOption(dimensions: number | undefined, max: number): void {
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && dimensions > 0 && dimensions <= max)) {
    throw new InvalidInputError({
      message: `dimensions must be an integer between 1 and ${max}, got ${dimensions}`,
      hint: "use the embedder's `dimensions`",
    });
  }
}
