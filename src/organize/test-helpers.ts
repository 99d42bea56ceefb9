/**
 * Shared fixtures of the reorganizer tests: a store, an embedder whose vectors the test picks,
 * and memory items with chosen times.
 */

import { contentHash } from "../core/ids.js";
import type { Embedder } from "../core/interfaces/embedder.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import { TextualMemoryItem, type TextualMemoryMetadataInput } from "../core/schema/memory.js";
import { createCustomEmbedder } from "../providers/custom/index.js";
import { createSqliteMemoryStore } from "../storage/sqlite/index.js";

export const DIMS = 16;

/** A unit vector with the given leading components (rest zero). */
export function vec(...xs: number[]): number[] {
  const v = new Array<number>(DIMS).fill(0);
  xs.forEach((x, i) => {
    v[i] = x;
  });
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** A deterministic pseudo-random vector for text the table does not know (far from the rest). */
function hashed(text: string): number[] {
  const h = contentHash(text);
  const v = Array.from({ length: DIMS }, (_, i) => Number.parseInt(h.slice(i * 2, i * 2 + 2), 16) - 127.5);
  return v;
}

/** Embedder that looks texts up in a table (exact text), else hashes them. */
export function tableEmbedder(table: Record<string, number[]>): Embedder & { texts: string[] } {
  const texts: string[] = [];
  const e = createCustomEmbedder({
    dimensions: DIMS,
    embed: async (batch) => {
      texts.push(...batch);
      return batch.map((t) => table[t] ?? hashed(t));
    },
  });
  return Object.assign(e, { texts });
}

/**
 * A bag-of-words embedder (hashed words into 64 dims): sentences sharing most words are close,
 * as with real embedders, without loading any model.
 */
export function bagOfWordsEmbedder(dims = 64): Embedder {
  return createCustomEmbedder({
    dimensions: dims,
    embed: async (batch) =>
      batch.map((t) => {
        const v: number[] = new Array<number>(dims).fill(0);
        for (const w of t.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
          const h = Number.parseInt(contentHash(w).slice(0, 8), 16);
          v[h % dims] = (v[h % dims] ?? 0) + 1;
        }
        if (!v.some((x) => x !== 0)) v[0] = 1;
        return v;
      }),
  });
}

let seq = 0;
/** An item with readable id, created_at `created` (ISO) and optional metadata. */
export function item(
  memory: string,
  created: string,
  metadata: Partial<TextualMemoryMetadataInput> = {},
  id = `m${++seq}`,
): TextualMemoryItem {
  return TextualMemoryItem.parse({
    id,
    memory,
    metadata: { memory_type: "LongTermMemory", created_at: created, updated_at: created, ...metadata },
  });
}

export function newStore(): Promise<MemoryStore> {
  return createSqliteMemoryStore({ path: ":memory:" });
}

/** Store items with their vectors (as a tree memory does before integrate). */
export async function put(store: MemoryStore, embedder: Embedder, items: TextualMemoryItem[]): Promise<void> {
  const vectors = await embedder.doEmbed(items.map((i) => i.memory));
  await store.addItems(items.map((it, i) => ({ item: it, embedding: vectors[i] as Float32Array })));
}

export async function edgesOf(store: MemoryStore, type?: string) {
  const data = await store.exportAll();
  return data.edges
    .filter((e) => type === undefined || e.type === type)
    .map((e) => `${e.source}>${e.type}>${e.target}`)
    .sort();
}
