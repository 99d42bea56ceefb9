import type { MemoryStore, ScoredId } from "../core/interfaces/store.js";
import { cosine } from "../core/math/vector.js";
import { type FilterNode, matchesFilter } from "../core/schema/filter.js";
import type { EdgeType, TextualMemoryItem } from "../core/schema/memory.js";
import { andFilter } from "./options.js";
import { phraseIn, phraseKey, words } from "./query-parse.js";
import type { ParsedQuery } from "./types.js";

/** A ranked list entry; `rank` places it among another path's ranks (see fuseRrf). */
export type Ranked = ScoredId & { rank?: number };

/**
 * Working path: working-memory items that pass the filter, by cosine with the query. Each gets
 * the rank it would have had among the vector path's hits, so RRF credits a working item exactly
 * as much as an equally similar stored one (plus the credit of being in working memory), instead
 * of giving the best of 20 working items rank 1 however weak it is.
 */
export function rankWorking(
  items: TextualMemoryItem[],
  vectors: Map<string, Float32Array>,
  queryVector: Float32Array,
  filter: FilterNode,
  vectorHits: ScoredId[] | undefined,
): Ranked[] {
  const scored: Ranked[] = [];
  for (const item of items) {
    if (!matchesFilter(item, filter)) continue;
    const v = vectors.get(item.id);
    if (!v) continue;
    scored.push({ id: item.id, score: cosine(queryVector, v) });
  }
  scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  if (!vectorHits || vectorHits.length === 0) return scored;
  // vectorHits are best first: count those strictly better (binary search on descending scores).
  return scored.map((s) => {
    let lo = 0;
    let hi = vectorHits.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((vectorHits[mid] as ScoredId).score > s.score) lo = mid + 1;
      else hi = mid;
    }
    return { ...s, rank: lo };
  });
}

/**
 * The other half of ranking working items among vector hits: each vector hit moves down by the
 * number of working items (not themselves among the hits) that are strictly more similar to the
 * query, as if the two lists were one similarity ranking. Without it a working item more similar
 * than every stored one would only tie the best stored hit.
 */
export function displaceByWorking(vectorHits: ScoredId[], working: Ranked[]): Ranked[] {
  const inHits = new Set(vectorHits.map((h) => h.id));
  const others = working
    .filter((w) => !inHits.has(w.id))
    .map((w) => w.score)
    .sort((a, b) => b - a);
  if (others.length === 0) return vectorHits;
  let j = 0;
  return vectorHits.map((h, position) => {
    while (j < others.length && (others[j] as number) > h.score) j++;
    return { ...h, rank: position + j };
  });
}

/**
 * What the graph path matches keys and tags against. Fast mode: the query itself, so an item
 * whose whole key ("favourite food") or a tag ("food") occurs in the query as a phrase matches.
 * Fine mode: also the rephrased query and the LLM's keys and tags. Each part is its own phrase
 * key, so a phrase never spans two parts.
 */
export function keyTagHaystack(parsed: ParsedQuery): string {
  const parts = [parsed.original, parsed.rephrased ?? "", ...(parsed.keys ?? []), ...(parsed.tags ?? [])];
  return parts.map(phraseKey).join("|");
}

/** How many of the item's key and tags occur in the haystack. */
export function keyTagMatches(item: TextualMemoryItem, haystack: string): number {
  let n = 0;
  const key = item.metadata.key;
  if (key && phraseIn(phraseKey(key), haystack)) n++;
  for (const tag of item.metadata.tags ?? []) if (phraseIn(phraseKey(tag), haystack)) n++;
  return n;
}

/**
 * The filter-DSL lookup of items by key or tag: `key in [...]` or `tags contains t` for each
 * term, in the spellings given and lower-cased. Fine mode uses the LLM's keys/tags; fast mode
 * with fastKeyTagLookup "store" uses the query's word n-grams (keys, up to 4 words) and content words (tags).
 *
 * @example
 * keyTagFilter(["favourite food"], ["food"]);
 * // { kind: "or", children: [key in ["favourite food"], tags contains "food"] }
 */
export function keyTagFilter(keys: string[], tags: string[]): FilterNode | undefined {
  const variants = (xs: string[]) => [...new Set(xs.flatMap((x) => [x, x.toLowerCase()]))];
  const children: FilterNode[] = [];
  const keyList = variants(keys);
  if (keyList.length > 0) children.push({ kind: "cmp", field: "key", op: "in", value: keyList });
  for (const t of variants(tags)) children.push({ kind: "cmp", field: "tags", op: "contains", value: t });
  if (children.length === 0) return undefined;
  return { kind: "or", children };
}

/** Fast-mode store lookup terms: word n-grams of the query (keys) and its content words (tags). */
export function queryKeyTagTerms(
  query: string,
  stopWords: ReadonlySet<string>,
): { keys: string[]; tags: string[] } {
  const raw = query.normalize("NFKC").match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  const keys: string[] = [];
  for (let n = 1; n <= 4; n++) {
    for (let i = 0; i + n <= raw.length && keys.length < 48; i++) keys.push(raw.slice(i, i + n).join(" "));
  }
  const tags = [...new Set(words(query).filter((w) => !stopWords.has(w)))].slice(0, 16);
  return { keys, tags };
}

export interface GraphPathInput {
  store: MemoryStore;
  filter: FilterNode;
  /** Candidates of the other paths, best first, already loaded (fast-mode key/tag matching). */
  candidates: TextualMemoryItem[];
  haystack: string;
  /** Items the store returned for the key/tag filter lookup (fine mode), best first. */
  lookedUp: TextualMemoryItem[];
  /** Vector hits, best first: the first `seeds` of them seed the 1-hop expansion. */
  vectorHits: ScoredId[];
  seeds: number;
  edgeTypes: EdgeType[];
  k: number;
  /** Loaded items by id; neighbours loaded here are added to it. */
  loaded: Map<string, TextualMemoryItem>;
}

/**
 * Graph path: items whose key or tags match (looked up in the store, or found among the
 * candidates), most matches first; then the 1-hop neighbours (RELATE_TO, PARENT, CAUSE,
 * CONDITION, FOLLOWS by default) of the top vector hits and of the first key/tag matches, in
 * their seed's order. Neighbours are read back through listItems with the search filter, so an
 * edge never leads to an item the filter excludes (another user's, archived, wrong type).
 */
export async function graphPath(input: GraphPathInput): Promise<Ranked[]> {
  const matched = new Map<string, number>();
  for (const item of [...input.lookedUp, ...input.candidates]) {
    if (matched.has(item.id)) continue;
    const n = keyTagMatches(item, input.haystack);
    if (n > 0) matched.set(item.id, n);
  }
  // Stable sort keeps the lookup/candidate order among equal match counts.
  const byMatch = [...matched.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);

  const seedIds = [
    ...new Set([...input.vectorHits.slice(0, input.seeds).map((h) => h.id), ...byMatch.slice(0, 3)]),
  ];
  const edgeLists = await Promise.all(
    seedIds.map((id) => input.store.getEdges(id, { types: input.edgeTypes })),
  );
  const neighbourIds: string[] = [];
  const seen = new Set<string>(byMatch);
  edgeLists.forEach((edges, i) => {
    const seed = seedIds[i] as string;
    for (const e of edges) {
      const other = e.source === seed ? e.target : e.source;
      if (other === seed || seen.has(other)) continue;
      seen.add(other);
      neighbourIds.push(other);
    }
  });
  let allowed = new Set<string>();
  if (neighbourIds.length > 0) {
    const rows = await input.store.listItems({
      filter: andFilter(input.filter, { kind: "cmp", field: "id", op: "in", value: neighbourIds }),
    });
    for (const item of rows) input.loaded.set(item.id, item);
    allowed = new Set(rows.map((r) => r.id));
  }
  const out: Ranked[] = byMatch.map((id) => ({ id, score: matched.get(id) ?? 0 }));
  for (const id of neighbourIds) if (allowed.has(id)) out.push({ id, score: 0 });
  return out.slice(0, input.k);
}
