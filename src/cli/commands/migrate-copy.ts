import { createHash } from "node:crypto";
import { StorageError } from "../../core/errors/index.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import type { MemoryEdge, TextualMemoryItem } from "../../core/schema/memory.js";

/** Memories read and written per step (one transaction on the target each). */
export const DEFAULT_BATCH = 500;

/** Batch reads some stores offer (the Postgres store does); others are read one memory at a time. */
interface BatchReads {
  getEmbeddings?(ids: string[]): Promise<Map<string, Float32Array>>;
  edgesFrom?(ids: string[]): Promise<MemoryEdge[]>;
}

async function embeddingsOf(store: MemoryStore, ids: string[]): Promise<Map<string, Float32Array>> {
  const batch = (store as MemoryStore & BatchReads).getEmbeddings;
  if (batch) return batch.call(store, ids);
  const out = new Map<string, Float32Array>();
  for (const id of ids) {
    const v = await store.getEmbedding(id);
    if (v) out.set(id, v);
  }
  return out;
}

async function edgesFrom(store: MemoryStore, ids: string[]): Promise<MemoryEdge[]> {
  const batch = (store as MemoryStore & BatchReads).edgesFrom;
  if (batch) return batch.call(store, ids);
  const out: MemoryEdge[] = [];
  for (const id of ids) out.push(...(await store.getEdges(id, { direction: "out" })));
  return out;
}

/** JSON with object keys sorted, so equal values hash equally whatever order a store keeps keys in (jsonb sorts them). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The hash of one memory: every field of it and every component of its vector. */
export function itemChecksum(item: TextualMemoryItem, vector: Float32Array | undefined): string {
  return sha256(
    canonical({
      id: item.id,
      memory: item.memory,
      metadata: item.metadata,
      vector: vector ? Array.from(vector) : null,
    }),
  );
}

function edgeLine(e: MemoryEdge): string {
  return canonical(e);
}

/** Pages of a store's memories in a stable order (created_at, then id). */
async function* pages(store: MemoryStore, batch: number): AsyncGenerator<TextualMemoryItem[]> {
  for (let offset = 0; ; offset += batch) {
    const page = await store.listItems({ orderBy: "created_at", order: "asc", limit: batch, offset });
    if (page.length === 0) return;
    yield page;
    if (page.length < batch) return;
  }
}

/** What a store holds, summed up: counts, and one checksum over every memory, vector and edge. */
export interface StoreSummary {
  items: number;
  vectors: number;
  edges: number;
  checksum: string;
}

/** Read a whole store and sum it up (order-independent). */
export async function summarize(store: MemoryStore, batch = DEFAULT_BATCH): Promise<StoreSummary> {
  const itemHashes: string[] = [];
  const edges: string[] = [];
  let vectors = 0;
  for await (const page of pages(store, batch)) {
    const ids = page.map((x) => x.id);
    const vecs = await embeddingsOf(store, ids);
    vectors += vecs.size;
    for (const item of page) itemHashes.push(itemChecksum(item, vecs.get(item.id)));
    for (const e of await edgesFrom(store, ids)) edges.push(edgeLine(e));
  }
  itemHashes.sort();
  edges.sort();
  return {
    items: itemHashes.length,
    vectors,
    edges: edges.length,
    checksum: sha256(`${itemHashes.join("\n")}\n--\n${edges.join("\n")}`),
  };
}

/** Options of {@link copyStore}. */
export interface CopyOptions {
  batch?: number;
  /** Called after each step with memories done and the total (items, then edges). */
  onProgress?: (phase: "items" | "edges", done: number, total: number) => void;
}

/** What a copy did, and the summaries that verified it. */
export interface CopyReport {
  /** Memories written to the target this run. */
  copied: number;
  /** Memories the target already held exactly (an earlier, interrupted run wrote them). */
  skipped: number;
  edges: number;
  source: StoreSummary;
  target: StoreSummary;
}

/**
 * Copy every memory (text, metadata with its versions and history, vector) and edge of `source`
 * into `target`, then verify that both hold the same counts and checksum. Resumable: each batch
 * commits on its own, and a memory the target already holds exactly is skipped, so a run after
 * an interruption continues where the last stopped and never duplicates. The source must not
 * change during the copy.
 */
export async function copyStore(
  source: MemoryStore,
  target: MemoryStore,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const batch = options.batch ?? DEFAULT_BATCH;
  if (
    source.dimensions !== undefined &&
    target.dimensions !== undefined &&
    source.dimensions !== target.dimensions
  ) {
    throw new StorageError({
      message: `the source stores ${source.dimensions}-dimensional vectors, the target ${target.dimensions}-dimensional ones`,
      hint: "migrate into an empty store, or one made with the same embedder",
    });
  }
  const total = await source.count();
  let copied = 0;
  let skipped = 0;
  for await (const page of pages(source, batch)) {
    const ids = page.map((x) => x.id);
    const [vecs, have, haveVecs] = await Promise.all([
      embeddingsOf(source, ids),
      target.getItems(ids),
      embeddingsOf(target, ids),
    ]);
    const held = new Map(have.map((x) => [x.id, itemChecksum(x, haveVecs.get(x.id))]));
    const todo = page.filter((x) => held.get(x.id) !== itemChecksum(x, vecs.get(x.id)));
    // A stale target vector the source lacks cannot be cleared by an upsert (it keeps vectors):
    // those memories are replaced whole; their edges come back in the edge pass.
    const replace = todo.filter((x) => !vecs.has(x.id) && haveVecs.has(x.id)).map((x) => x.id);
    const rows = todo.map((item) => {
      const v = vecs.get(item.id);
      return v ? { item, embedding: v } : { item };
    });
    if (rows.length > 0) {
      await target.transaction(async (tx) => {
        if (replace.length > 0) await tx.deleteItems(replace);
        await tx.upsertItems(rows);
      });
    }
    copied += todo.length;
    skipped += page.length - todo.length;
    options.onProgress?.("items", copied + skipped, total);
  }
  let edges = 0;
  let done = 0;
  for await (const page of pages(source, batch)) {
    const out = await edgesFrom(
      source,
      page.map((x) => x.id),
    );
    if (out.length > 0) await target.addEdges(out);
    edges += out.length;
    done += page.length;
    options.onProgress?.("edges", done, total);
  }
  const [src, dst] = await Promise.all([summarize(source, batch), summarize(target, batch)]);
  if (
    src.items !== dst.items ||
    src.vectors !== dst.vectors ||
    src.edges !== dst.edges ||
    src.checksum !== dst.checksum
  ) {
    throw new StorageError({
      message: `verification failed: the source holds ${src.items} memories, ${src.vectors} vectors and ${src.edges} edges (checksum ${src.checksum.slice(0, 12)}), the target ${dst.items}, ${dst.vectors} and ${dst.edges} (checksum ${dst.checksum.slice(0, 12)})`,
      hint: "the target held other memories before, or the source changed during the copy; migrate into an empty target while nothing writes to the source",
    });
  }
  return { copied, skipped, edges, source: src, target: dst };
}
