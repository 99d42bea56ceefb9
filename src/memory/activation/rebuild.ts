/**
 * Which memories a cube's activation memory pins, and keeping its KV cache in step with them:
 * on demand today (chat, `memos kv build`), from the scheduler's `act_mem_update` later.
 *
 * @module
 */
import type { MemoryStore } from "../../core/interfaces/store.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { type KVCacheMemory, prefixHash } from "./kv-cache-memory.js";
import { memoryPrefix } from "./memory-block.js";
import type { KVCacheItem } from "./types.js";

/** How many memories a cube pins by default (MemOS's working memory holds 20). */
export const DEFAULT_MAX_MEMORIES = 20;

/**
 * The memories the prefix pins: the cube's working memory when it has one (tree cubes), else its
 * active memories; oldest first (ties by id), at most `max`. Oldest first keeps the block stable:
 * a new memory is appended after the earlier ones (or, once `max` are pinned, reaches chat
 * through search instead), so the bytes before it, and their cache, stay valid.
 */
export async function pinnedMemories(
  store: MemoryStore,
  max = DEFAULT_MAX_MEMORIES,
): Promise<TextualMemoryItem[]> {
  if (max <= 0) return [];
  const list = (filter: Record<string, string>) =>
    store.listItems({ filter, orderBy: "created_at", order: "asc", limit: max });
  const working = await list({ status: "activated", memory_type: "WorkingMemory" });
  return working.length > 0 ? working : list({ status: "activated" });
}

/** What {@link rebuildActivationMemory} did. */
export interface ActivationRebuild {
  item: KVCacheItem;
  /** False when the saved cache already matched the memories (nothing was evaluated). */
  rebuilt: boolean;
  /** Caches dropped because their memories changed (or another model made them). */
  dropped: number;
}

/**
 * Make the cube's KV cache match its pinned memories: reuse the cache of the same memory block
 * on the same model, else evaluate the block, save it, and drop the stale caches. `items`
 * overrides the selection (the scheduler's working memory); `base` is the chat's base prompt.
 * The scheduler's `act_mem_update` handler calls this.
 *
 * @example
 * const { rebuilt } = await rebuildActivationMemory({ activation: kv, store: cube.text.store });
 */
export async function rebuildActivationMemory(options: {
  activation: KVCacheMemory;
  store: MemoryStore;
  items?: TextualMemoryItem[];
  maxMemories?: number;
  base?: string;
  /** Evaluate the block again even when a matching cache exists. */
  force?: boolean;
}): Promise<ActivationRebuild> {
  const { activation } = options;
  const items = options.items ?? (await pinnedMemories(options.store, options.maxMemories));
  const text = memoryPrefix({
    base: options.base,
    memories: items.map((item, i) => ({ index: i + 1, memoryId: item.id, item })),
  });
  const fresh = options.force ? undefined : await activation.findFresh(text);
  if (fresh) return { item: fresh, rebuilt: false, dropped: 0 };
  const item = await activation.fromTextualMemory(items, { base: options.base, force: options.force });
  const stale = activation.getAll().filter((i) => i.id !== item.id && !i.set_key);
  return { item, rebuilt: true, dropped: activation.delete(stale.map((i) => i.id)) };
}

/**
 * The hash of the memory block the cube would pin now (default base prompt): a cache whose
 * `source_hash` differs is stale. Needs no model.
 */
export async function currentBlockHash(activation: KVCacheMemory, store: MemoryStore): Promise<string> {
  const items = await pinnedMemories(store, activation.maxMemories);
  return prefixHash(
    memoryPrefix({ memories: items.map((item, i) => ({ index: i + 1, memoryId: item.id, item })) }),
  );
}

/** A KV cache as search results and listings show it (MemOS's `KVCacheItem`: id, memory, metadata). */
export interface ActivationMemoryView {
  id: string;
  /** The text the cache holds (the memory block). */
  memory: string;
  metadata: Omit<KVCacheItem, "id" | "source_text"> & {
    /** The cube's memories changed since it was built: chat rebuilds it before use. */
    stale: boolean;
  };
}

/** The cube's KV caches with whether each still matches its memories. */
export async function describeActivation(
  activation: KVCacheMemory,
  store: MemoryStore,
): Promise<ActivationMemoryView[]> {
  const items = activation.getAll();
  if (items.length === 0) return [];
  const current = await currentBlockHash(activation, store);
  return items.map(({ id, source_text, ...metadata }) => ({
    id,
    memory: source_text,
    metadata: { ...metadata, stale: !metadata.set_key && metadata.source_hash !== current },
  }));
}

const building = new Map<string, Promise<unknown>>();

/**
 * Run `body` after any rebuild of the same cube (`key`: its directory) this process started,
 * so chat and the `act_mem_update` task never evaluate and index one block twice at once.
 *
 * @example
 * await oneRebuildAtATime(cube.dir, () => rebuildActivationMemory({ activation, store }));
 */
export async function oneRebuildAtATime<T>(key: string, body: () => Promise<T>): Promise<T> {
  const previous = building.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(body);
  building.set(key, next);
  try {
    return await next;
  } finally {
    if (building.get(key) === next) building.delete(key);
  }
}
