import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import type { MemoryFilter } from "../../core/schema/filter.js";
import type { MemoryEdge, TextualMemoryItem } from "../../core/schema/memory.js";
import type { MemCube } from "../../cube/mem-cube.js";
import { toParametricItem } from "../../memory/parametric/items.js";

/**
 * What the memory browser asks of one cube (already opened through MOS's ACL): listing with
 * filters, full-text and semantic search, a memory's edges, the graph and an overview. Kept apart
 * from the routes so each query is one plain function of a cube.
 */

/** The browser's filters, from query parameters. */
export interface BrowseFilters {
  type?: string;
  tag?: string;
  session?: string;
  /** ISO dates (inclusive), on created_at. */
  from?: string;
  to?: string;
}

/** Memory view for the browser: no embedding. */
export function view(item: TextualMemoryItem): TextualMemoryItem {
  const { embedding: _drop, ...metadata } = item.metadata;
  return { ...item, metadata: metadata as TextualMemoryItem["metadata"] };
}

const DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/;

/** The filter DSL for the browser's filters (values are data: the DSL never interpolates them). */
export function toFilter(f: BrowseFilters): MemoryFilter | undefined {
  const filter: MemoryFilter = {};
  if (f.type) filter.memory_type = f.type;
  if (f.tag) filter.tags = { contains: f.tag };
  if (f.session) filter.session_id = f.session;
  for (const [k, v] of [
    ["from", f.from],
    ["to", f.to],
  ] as const) {
    if (v && !DATE.test(v))
      throw new InvalidInputError({
        message: `${k} must be a date like 2025-03-02, got "${v}"`,
        hint: "use YYYY-MM-DD",
      });
  }
  if (f.from || f.to) {
    filter.created_at = {
      ...(f.from ? { gte: f.from } : {}),
      ...(f.to ? { lte: f.to.length === 10 ? `${f.to}T23:59:59.999Z` : f.to } : {}),
    };
  }
  return Object.keys(filter).length ? filter : undefined;
}

/** The cube's store, for the queries only store-backed memories (general, tree) answer. */
export function storeOf(cube: MemCube): MemoryStore | undefined {
  return "store" in cube.text ? cube.text.store : undefined;
}

/** A page of memories, newest first, with the total matching. */
export async function listMemories(
  cube: MemCube,
  filter: MemoryFilter | undefined,
  page: { limit: number; offset: number },
): Promise<{ memories: TextualMemoryItem[]; total: number }> {
  const store = storeOf(cube);
  if (!store) {
    const all = await cube.text.getAll({ filter });
    return { memories: all.slice(page.offset, page.offset + page.limit).map(view), total: all.length };
  }
  const [memories, total] = await Promise.all([
    store.listItems({ filter, limit: page.limit, offset: page.offset, orderBy: "created_at", order: "desc" }),
    store.count(filter),
  ]);
  return { memories: memories.map(view), total };
}

/** Full-text (BM25) search in the cube, best first, each with its score. */
export async function fullTextSearch(
  cube: MemCube,
  query: string,
  filter: MemoryFilter | undefined,
  k: number,
): Promise<{ item: TextualMemoryItem; score: number }[]> {
  const store = storeOf(cube);
  if (!store)
    throw new InvalidInputError({
      message: "full-text search needs a general or tree cube; this one is naive_text",
      hint: "use semantic search (fast) on this cube",
    });
  const scored = await store.keywordSearch(query, { k, filter });
  const items = new Map((await store.getItems(scored.map((s) => s.id))).map((i) => [i.id, i]));
  return scored.flatMap((s) => {
    const item = items.get(s.id);
    return item ? [{ item: view(item), score: s.score }] : [];
  });
}

/** A memory's edges, each with the memory at its other end (text only). */
export async function edgesOf(
  cube: MemCube,
  id: string,
): Promise<{ type: string; direction: "out" | "in"; other: { id: string; memory: string } | null }[]> {
  const store = storeOf(cube);
  if (!store) return [];
  const edges = await store.getEdges(id, { direction: "both" });
  const otherIds = edges.map((e) => (e.source === id ? e.target : e.source));
  const others = new Map((await store.getItems(otherIds)).map((i) => [i.id, i]));
  return edges.map((e: MemoryEdge) => {
    const otherId = e.source === id ? e.target : e.source;
    const other = others.get(otherId);
    return {
      type: e.type,
      direction: e.source === id ? "out" : "in",
      other: other ? { id: other.id, memory: other.memory } : { id: otherId, memory: "" },
    };
  });
}

/** The newest `limit` memories and every edge among them and their neighbours (one hop). */
export async function graphOf(
  cube: MemCube,
  limit: number,
): Promise<{
  nodes: { id: string; memory: string; memory_type: string; type?: string }[];
  edges: MemoryEdge[];
}> {
  const store = storeOf(cube);
  if (!store) return { nodes: [], edges: [] };
  const seeds = await store.listItems({ limit, orderBy: "created_at", order: "desc" });
  const sub = await store.subgraph(
    seeds.map((s) => s.id),
    1,
  );
  const nodes = sub.nodes.slice(0, limit * 2).map((n) => ({
    id: n.id,
    memory: n.memory,
    memory_type: n.metadata.memory_type ?? "Unknown",
    type: n.metadata.type ?? undefined,
  }));
  const kept = new Set(nodes.map((n) => n.id));
  return { nodes, edges: sub.edges.filter((e) => kept.has(e.source) && kept.has(e.target)) };
}

function days(counts: Record<string, number>): { day: string; count: number }[] {
  return Object.entries(counts)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([day, count]) => ({ day, count }));
}

/** Counts for the cube's overview: by memory type, by day created, by session, top tags. */
export async function overviewOf(cube: MemCube, maxItems = 50_000) {
  const store = storeOf(cube);
  const byType: Record<string, number> = {};
  const byDay: Record<string, number> = {};
  const byEventDay: Record<string, number> = {};
  const bySession: Record<string, number> = {};
  const tags: Record<string, number> = {};
  let scanned = 0;
  const pageSize = 1000;
  for (let offset = 0; offset < maxItems; offset += pageSize) {
    const page = store
      ? await store.listItems({ limit: pageSize, offset, orderBy: "created_at", order: "asc" })
      : (await cube.text.getAll({})).slice(offset, offset + pageSize);
    for (const item of page) {
      const m = item.metadata;
      const type = m.memory_type ?? "Unknown";
      byType[type] = (byType[type] ?? 0) + 1;
      const day = (m.created_at ?? "").slice(0, 10) || "unknown";
      byDay[day] = (byDay[day] ?? 0) + 1;
      // When it happened: the fact's validity, else the first source turn's time.
      const event = (m.valid_at ?? m.sources?.[0]?.chat_time ?? "").slice(0, 10);
      if (event) byEventDay[event] = (byEventDay[event] ?? 0) + 1;
      if (m.session_id) bySession[m.session_id] = (bySession[m.session_id] ?? 0) + 1;
      for (const t of m.tags ?? []) tags[t] = (tags[t] ?? 0) + 1;
    }
    scanned += page.length;
    if (page.length < pageSize) break;
  }
  const total = store ? await store.count() : scanned;
  const top = (r: Record<string, number>, n: number) =>
    Object.entries(r)
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, count]) => ({ key, count }));
  return {
    total,
    scanned,
    by_type: top(byType, 50),
    by_day: days(byDay),
    by_event_day: days(byEventDay),
    sessions: top(bySession, 20),
    tags: top(tags, 30),
    // Parametric memory: every LoRA adapter of the cube, active or not.
    lora_adapters: (cube.parametric?.list() ?? []).map(toParametricItem),
  };
}
