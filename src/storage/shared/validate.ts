import { InvalidInputError } from "../../core/errors/index.js";
import type { SearchOptions, StoredItem } from "../../core/interfaces/store.js";
import { EDGE_TYPES, type EdgeType, MemoryEdge, TextualMemoryItem } from "../../core/schema/memory.js";
import { toVector } from "./vector-input.js";

const EDGE_TYPE_SET = new Set<string>(EDGE_TYPES);

export function parseEdge(e: unknown, where: string): MemoryEdge {
  const parsed = MemoryEdge.safeParse(e);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError({
      message: `${where}: ${issue?.path.join(".") || "edge"} ${issue?.message ?? "is invalid"}`,
      hint: `an edge is {source, target, type} with type one of ${EDGE_TYPES.join(", ")}`,
    });
  }
  return parsed.data;
}

export function edgeTypes(types: EdgeType[] | undefined): EdgeType[] | undefined {
  if (types === undefined) return undefined;
  if (!Array.isArray(types) || types.length === 0) {
    throw new InvalidInputError({
      message: "types must be a non-empty list of edge types",
      hint: "leave `types` out to follow every edge type",
    });
  }
  for (const t of types) {
    if (!EDGE_TYPE_SET.has(t)) {
      throw new InvalidInputError({
        message: `unknown edge type ${String(t)}`,
        hint: `edge types: ${EDGE_TYPES.join(", ")}`,
      });
    }
  }
  return types;
}

/**
 * A neighbour query's direction, checked, with its default ("both").
 *
 * @example
 * edgeDirection(undefined); // "both"
 */
export function edgeDirection(direction: unknown): "out" | "in" | "both" {
  const d = direction ?? "both";
  if (d !== "out" && d !== "in" && d !== "both") {
    throw new InvalidInputError({
      message: `direction must be "out", "in" or "both", got ${String(d)}`,
      hint: 'e.g. {direction: "out"}',
    });
  }
  return d;
}

/**
 * A subgraph walk's depth (hops from the seeds): a non-negative integer.
 *
 * @example
 * assertDepth(2); // passes; -1 or 1.5 throw InvalidInputError
 */
export function assertDepth(depth: unknown): asserts depth is number {
  if (!Number.isInteger(depth) || (depth as number) < 0) {
    throw new InvalidInputError({
      message: `depth must be a non-negative integer, got ${depth}`,
      hint: "e.g. subgraph([id], 2)",
    });
  }
}

export function searchK(options: SearchOptions): number {
  const k = options?.k;
  if (!Number.isInteger(k) || k < 1) {
    throw new InvalidInputError({
      message: `k must be a positive integer, got ${String(k)}`,
      hint: "e.g. {k: 10}",
    });
  }
  return k;
}

export function assertId(id: unknown, what: string): asserts id is string {
  if (typeof id !== "string" || id.length === 0) {
    throw new InvalidInputError({
      message: `${what} must be a non-empty string`,
      hint: "memory ids are strings (UUIDs)",
    });
  }
}

export function assertIds(ids: unknown, what: string): asserts ids is string[] {
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === "string")) {
    throw new InvalidInputError({ message: `${what} expects a list of id strings`, hint: 'e.g. ["3f2b…"]' });
  }
}

export function assertCount(n: unknown, what: string): void {
  if (!Number.isInteger(n) || (n as number) < 0) {
    throw new InvalidInputError({
      message: `${what} must be a non-negative integer, got ${String(n)}`,
      hint: `e.g. {${what}: 20}`,
    });
  }
}

/** An item validated and split into what the tables store. */
export interface PreparedItem {
  id: string;
  memory: string;
  metadata: Record<string, unknown>;
  metadataJson: string;
  vector: Float32Array | undefined;
}

export function prepareItem(stored: StoredItem, where: string): PreparedItem {
  if (typeof stored !== "object" || stored === null || !("item" in stored)) {
    throw new InvalidInputError({
      message: `${where} must be {item, embedding?}`,
      hint: "wrap each memory as {item}",
    });
  }
  const parsed = TextualMemoryItem.safeParse(stored.item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError({
      message: `${where}: ${issue?.path.join(".") || "item"} ${issue?.message ?? "is invalid"}`,
      hint: "a memory is {id, memory, metadata}; see TextualMemoryItem in core/schema/memory.ts",
    });
  }
  const { embedding: metaEmbedding, ...metadata } = parsed.data.metadata;
  let vector: Float32Array | undefined;
  if (stored.embedding !== undefined && stored.embedding !== null) {
    vector = toVector(stored.embedding, `${where}.embedding`);
  } else if (metaEmbedding && metaEmbedding.length > 0) {
    // A vector left in metadata.embedding is used as the item's vector, not stored twice.
    vector = toVector(metaEmbedding, `${where}.item.metadata.embedding`);
  }
  return {
    id: parsed.data.id,
    memory: parsed.data.memory,
    metadata,
    metadataJson: JSON.stringify(metadata),
    vector,
  };
}

export function prepareBatch(items: StoredItem[], what: string): PreparedItem[] {
  if (!Array.isArray(items)) {
    throw new InvalidInputError({
      message: `${what} expects an array of {item, embedding?}`,
      hint: "pass a list",
    });
  }
  return items.map((s, i) => prepareItem(s, `items[${i}]`));
}
