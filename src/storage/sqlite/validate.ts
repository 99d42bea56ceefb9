import { InvalidInputError } from "../../core/errors/index.js";
import type { SearchOptions } from "../../core/interfaces/store.js";
import { EDGE_TYPES, type EdgeType, MemoryEdge } from "../../core/schema/memory.js";

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
