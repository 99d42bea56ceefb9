import type { ScoredId } from "../core/interfaces/store.js";

/** One ranked list of candidates from a recall path (vector, keyword, graph, ...). */
export interface RankedList<P extends string = string> {
  path: P;
  /** Best first. `rank` (0-based), when given, replaces the position: a short list can place its items among another path's ranks. */
  results: (ScoredId & { rank?: number })[];
  /** Relative weight of this path; 1 by default. */
  weight?: number;
}

export interface FusedResult<P extends string = string> {
  id: string;
  score: number;
  /** The paths that found this id, best rank first, each once (several lists may share a path). */
  paths: P[];
}

/**
 * Reciprocal rank fusion (Cormack et al. 2009): score = Σ weight / (k + rank). Ranks, not raw
 * scores, are fused, so cosine similarities and BM25 scores need no calibration against each other.
 *
 * @example
 * fuseRrf([{ path: "vector", results: v }, { path: "keyword", results: kw }]);
 */
export function fuseRrf<P extends string>(lists: RankedList<P>[], k = 60): FusedResult<P>[] {
  const byId = new Map<string, { score: number; hits: { path: P; rank: number }[] }>();
  for (const list of lists) {
    const weight = list.weight ?? 1;
    list.results.forEach((r, position) => {
      const rank = r.rank ?? position;
      let entry = byId.get(r.id);
      if (!entry) {
        entry = { score: 0, hits: [] };
        byId.set(r.id, entry);
      }
      entry.score += weight / (k + rank + 1);
      entry.hits.push({ path: list.path, rank });
    });
  }
  return [...byId.entries()]
    .map(([id, e]) => ({
      id,
      score: e.score,
      paths: [...new Set(e.hits.sort((a, b) => a.rank - b.rank).map((h) => h.path))],
    }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}
