import { errorMessage } from "../core/errors/error-message.js";
import type { MemoryStore, ScoredId } from "../core/interfaces/store.js";
import type { FilterNode } from "../core/schema/filter.js";
import type { EdgeType, TextualMemoryItem } from "../core/schema/memory.js";
import { ENGLISH_STOP_WORDS } from "../providers/bm25-reranker/bm25-tokenize.js";
import { andFilter, type ResolvedSearchOptions } from "./options.js";
import {
  graphPath,
  keyTagFilter,
  keyTagHaystack,
  queryKeyTagTerms,
  type Ranked,
  rankWorking,
} from "./paths.js";
import type { ParsedQuery } from "./types.js";
import type { VectorLookup } from "./vectors.js";

/**
 * The two recall paths that need more than one store call: working memory (its items scored
 * against the query vector) and the graph (key/tag matches plus their neighbours). The searcher
 * runs them beside the vector and keyword paths.
 */

/** Candidates per store path checked for key/tag matches (the head of each list is enough). */
const KEY_TAG_CANDIDATES = 20;

/** What the recall paths take from the searcher. */
export interface RecallDeps {
  readonly store: MemoryStore;
  readonly vectors: VectorLookup;
  readonly workingMemory: (() => Promise<TextualMemoryItem[]>) | undefined;
  readonly fastKeyTagLookup: "candidates" | "store";
  readonly graphSeeds: number;
  readonly graphEdgeTypes: EdgeType[];
}

export async function recallWorking(
  deps: RecallDeps,
  queryVector: Float32Array,
  vectorP: Promise<ScoredId[][]>,
  opts: ResolvedSearchOptions,
  loaded: Map<string, TextualMemoryItem>,
  timings: Record<string, number>,
  warnings: string[],
  signal: AbortSignal | undefined,
): Promise<Ranked[]> {
  // Timed up to the point it waits for the vector path: its own cost.
  const started = performance.now();
  let items: TextualMemoryItem[];
  try {
    items = await (deps.workingMemory as () => Promise<TextualMemoryItem[]>)();
  } catch (error) {
    warnings.push(`working memory could not be read (${errorMessage(error)}); its path was skipped`);
    return [];
  }
  const vectors = await deps.vectors.vectors(items, signal);
  timings.working = performance.now() - started;
  const [vectorHits] = await vectorP;
  const ranked = rankWorking(items, vectors, queryVector, opts.workingFilter, vectorHits);
  const byId = new Map(items.map((i) => [i.id, i]));
  // A stored twin loaded by another path wins: it is the durable record.
  for (const r of ranked) if (!loaded.has(r.id)) loaded.set(r.id, byId.get(r.id) as TextualMemoryItem);
  return ranked;
}

export async function recallGraph(
  deps: RecallDeps,
  parsed: ParsedQuery,
  vectorP: Promise<ScoredId[][]>,
  keywordP: Promise<ScoredId[][]>,
  opts: ResolvedSearchOptions,
  k: number,
  loaded: Map<string, TextualMemoryItem>,
  timings: Record<string, number>,
): Promise<Ranked[]> {
  let lookupFilter: FilterNode | undefined;
  if (parsed.keys !== undefined || parsed.tags !== undefined) {
    lookupFilter = keyTagFilter(parsed.keys ?? [], parsed.tags ?? []);
  } else if (deps.fastKeyTagLookup === "store") {
    const terms = queryKeyTagTerms(parsed.original, ENGLISH_STOP_WORDS);
    lookupFilter = keyTagFilter(terms.keys, terms.tags);
  }
  const lookupP = lookupFilter
    ? time(timings, "graph_lookup", () =>
        deps.store.listItems({
          filter: andFilter(opts.filter, lookupFilter),
          limit: k,
          orderBy: "updated_at",
          order: "desc",
        }),
      )
    : Promise.resolve([]);
  const [vectorLists, keywordLists, lookedUp] = await Promise.all([vectorP, keywordP, lookupP]);
  // Timed from here: the wait for the other paths is theirs.
  const started = performance.now();
  for (const item of lookedUp) loaded.set(item.id, item);
  // Candidates of the other store paths, interleaved best first, for the cheap key/tag check.
  // The head of each list is enough: a key/tag match further down adds little, and loading
  // every candidate (heavy metadata) would cost more than the whole search on a small cube.
  const order = interleave(
    [...vectorLists, ...keywordLists].map((l) => l.slice(0, KEY_TAG_CANDIDATES).map((h) => h.id)),
  );
  const missing = order.filter((id) => !loaded.has(id));
  if (missing.length > 0) for (const item of await deps.store.getItems(missing)) loaded.set(item.id, item);
  const candidates = order.map((id) => loaded.get(id)).filter((i): i is TextualMemoryItem => i !== undefined);
  const ranked = await graphPath({
    store: deps.store,
    filter: opts.filter,
    candidates,
    haystack: keyTagHaystack(parsed),
    lookedUp,
    vectorHits: vectorLists[0] ?? [],
    seeds: deps.graphSeeds,
    edgeTypes: deps.graphEdgeTypes,
    k,
    loaded,
  });
  timings.graph = performance.now() - started;
  return ranked;
}

/** Round-robin merge of ranked id lists, first occurrence kept. */
function interleave(lists: string[][]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    for (const l of lists) {
      const id = l[i];
      if (id !== undefined && !seen.has(id)) {
        seen.add(id);
        out.push(id);
      }
    }
  }
  return out;
}

/** Run `fn`, recording its wall time (including any wait for the store) under `name`. */
export async function time<T>(
  timings: Record<string, number>,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = performance.now() - started;
  }
}
