import { NotFoundError } from "../../core/errors/not-found-error.js";
import { matchesFilter, normalizeFilter } from "../../core/schema/filter.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { type ChatMessage, FastMemReader } from "../../reader/index.js";
import { requireQuery } from "../../retrieve/rank-order.js";
import {
  applyUpdate,
  historyOf,
  materialize,
  requireReferenceTime,
  requireTopK,
  temporalFactor,
  textAtVersion,
} from "./item-ops.js";
import { readTextualMemory, writeTextualMemory } from "./persist.js";
import type {
  AddContext,
  GetAllOptions,
  MemoryHistory,
  MemoryInput,
  SearchHit,
  TextMemory,
  TextSearchOptions,
  UpdatePatch,
} from "./types.js";

const WORD = /[\p{L}\p{N}]+/gu;
const words = (s: string) => new Set(s.toLowerCase().match(WORD) ?? []);

/**
 * The simplest textual memory (MemOS's NaiveTextMemory): a list in process memory, searched by
 * word overlap. No store, no embedder: good for tests and tiny scripts; gone when the process ends
 * unless dumped.
 *
 * @example
 * const mem = new NaiveTextMemory();
 * await mem.add(["Alice lives in Paris"]);
 * (await mem.search("where does Alice live"))[0].item.memory; // "Alice lives in Paris"
 */
export class NaiveTextMemory implements TextMemory {
  private items = new Map<string, TextualMemoryItem>();
  private readonly reader: FastMemReader;

  constructor(options: { reader?: FastMemReader } = {}) {
    this.reader = options.reader ?? new FastMemReader();
  }

  async add(inputs: MemoryInput[], context?: AddContext) {
    const items = materialize(inputs, context);
    for (const item of items) this.items.set(item.id, item);
    return items;
  }

  async addMessages(messages: ChatMessage[], context: AddContext = {}) {
    const items = this.reader.readChat(messages, context);
    for (const item of items) this.items.set(item.id, item);
    return items;
  }

  async search(query: string, options: TextSearchOptions = {}): Promise<SearchHit[]> {
    return wordOverlapSearch(this.items.values(), query, options);
  }

  async get(id: string) {
    const item = this.items.get(id);
    if (!item) throw new NotFoundError({ message: `no memory ${id}`, hint: "list ids with getAll()" });
    return item;
  }

  async getMany(ids: string[]) {
    return ids.flatMap((id) => this.items.get(id) ?? []);
  }

  async getAll(options: GetAllOptions = {}) {
    const filter = options.filter ? normalizeFilter(options.filter) : undefined;
    const all = [...this.items.values()].filter((i) => !filter || matchesFilter(i, filter));
    const offset = options.offset ?? 0;
    return all.slice(offset, options.limit === undefined ? undefined : offset + options.limit);
  }

  async update(id: string, patch: UpdatePatch) {
    const next = applyUpdate(await this.get(id), patch);
    this.items.set(id, next);
    return next;
  }

  async delete(ids: string[]) {
    let n = 0;
    for (const id of ids) if (this.items.delete(id)) n++;
    return n;
  }

  async deleteAll() {
    const n = this.items.size;
    this.items.clear();
    return n;
  }

  async history(id: string): Promise<MemoryHistory> {
    return historyOf(await this.get(id));
  }

  async rollback(id: string, toVersion: number) {
    const item = await this.get(id);
    const next = applyUpdate(item, { memory: textAtVersion(item, toVersion) }, "rollback");
    this.items.set(id, next);
    return next;
  }

  async dump(dir: string) {
    return writeTextualMemory(dir, { nodes: [...this.items.values()], edges: [] });
  }

  async load(dir: string) {
    const data = readTextualMemory(dir);
    this.items = new Map(data.nodes.map((n) => [n.id, n]));
    return data.nodes.length;
  }
}

/**
 * MemOS's naive search: the share of the query's words an item contains, time-aware with a
 * reference time; shared by the in-process NaiveTextMemory and the store-backed naive cube memory.
 */
export function wordOverlapSearch(
  items: Iterable<TextualMemoryItem>,
  query: string,
  options: TextSearchOptions = {},
): SearchHit[] {
  const q = words(requireQuery(query));
  const k = requireTopK(options);
  const ref = requireReferenceTime(options.referenceTime);
  const filter = options.filter ? normalizeFilter(options.filter) : undefined;
  const hits: SearchHit[] = [];
  for (const item of items) {
    if (!options.includeInactive && item.metadata.status !== "activated") continue;
    if (filter && !matchesFilter(item, filter)) continue;
    const w = words(item.memory);
    let overlap = 0;
    for (const t of q) if (w.has(t)) overlap++;
    const score = (overlap / Math.max(q.size, 1)) * (ref === undefined ? 1 : temporalFactor(item, ref));
    if (score > 0) hits.push({ item, score, paths: ["keyword"] });
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, k);
}
