/** Helpers of the store conformance suite: test data builders, assertions and the skip list. */
import { expect, describe as vitestDescribe, it as vitestIt } from "vitest";
import { MemosError } from "../../core/errors/index.js";
import type { MemoryStore, StoredItem } from "../../core/interfaces/store.js";
import { type MemoryEdge, TextualMemoryItem, type TextualMemoryItemInput } from "../../core/schema/memory.js";
import { CONFORMANCE_DIMENSIONS } from "./dimensions.js";

/** Shorthand for {@link CONFORMANCE_DIMENSIONS}, the vector size of every test. */
export const DIM = CONFORMANCE_DIMENSIONS;

// ---------------------------------------------------------------- helpers

export function randomVector(rand: () => number, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = rand() * 2 - 1;
  return v;
}

/** A unit vector at `angle` radians in the plane of the first two axes. */
export function angled(angle: number): Float32Array {
  const v = new Float32Array(DIM);
  v[0] = Math.cos(angle);
  v[1] = Math.sin(angle);
  return v;
}

export function mem(
  id: string,
  memory: string,
  metadata: TextualMemoryItemInput["metadata"] = {},
): TextualMemoryItem {
  return TextualMemoryItem.parse({ id, memory, metadata });
}

export function stored(
  id: string,
  memory: string,
  metadata: TextualMemoryItemInput["metadata"] = {},
  embedding?: Float32Array,
): StoredItem {
  return embedding ? { item: mem(id, memory, metadata), embedding } : { item: mem(id, memory, metadata) };
}

/** What a store must give back for an item it was given: the parsed item, minus the embedding. */
export function expectedBack(item: TextualMemoryItemInput): TextualMemoryItem {
  const parsed = TextualMemoryItem.parse(item);
  const { embedding: _e, ...metadata } = parsed.metadata;
  return { ...parsed, metadata } as TextualMemoryItem;
}

export async function rejection(p: Promise<unknown>): Promise<MemosError> {
  try {
    await p;
  } catch (error) {
    expect(MemosError.isInstance(error), `expected a MemosError, got ${String(error)}`).toBe(true);
    return error as MemosError;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

export const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
export const sorted = (xs: string[]) => [...xs].sort();
export const edgeKey = (e: Pick<MemoryEdge, "source" | "target" | "type">) =>
  `${e.source}>${e.type}>${e.target}`;

/** What a group of the suite is given: the skip-aware `describe`/`it`, and the stores of the test. */
export interface ConformanceContext {
  describe: (title: string, factory: () => void) => void;
  it: (title: string, body: () => unknown) => void;
  /** The fresh store of the running test. */
  current: () => MemoryStore;
  /** One more fresh store, closed after the test. */
  another: () => Promise<MemoryStore>;
}

// ---------------------------------------------------------------- the skip list

type Body = () => unknown;

/**
 * `describe` and `it` that honour a skip list: a group or test named in it is registered with
 * vitest's `.skip`, so it shows as skipped and its body never runs.
 */
export function skippable(skip: readonly string[]) {
  const wanted = new Set(skip);
  const seen = new Set<string>();
  /** The group titles around the factory now being collected. */
  let groups: string[] = [];
  const skipped = (title: string, path: string[]): boolean => {
    const names = [title, [...path, title].join(" > ")];
    for (const n of names) seen.add(n);
    return names.some((n) => wanted.has(n)) || path.some((g) => wanted.has(g));
  };
  const describe = (title: string, factory: () => void): void => {
    const path = groups;
    // Vitest may collect a nested factory after its parent's returns: restore this one's path.
    const run = () => {
      const outer = groups;
      groups = [...path, title];
      try {
        factory();
      } finally {
        groups = outer;
      }
    };
    (skipped(title, path) ? vitestDescribe.skip : vitestDescribe)(title, run);
  };
  const it = (title: string, body: Body): void => {
    (skipped(title, groups) ? vitestIt.skip : vitestIt)(title, body);
  };
  const unmatched = () => skip.filter((n) => !seen.has(n));
  return { describe, it, unmatched };
}
