import { cosine } from "../core/math/vector.js";

export interface ClusterOptions {
  threshold: number;
  minSize: number;
  maxSize: number;
}

/**
 * Deterministic star clustering on cosine similarity. Repeatedly, the unclustered point with the
 * most unclustered neighbours (cosine >= threshold; ties: lowest index) seeds a cluster of
 * itself plus its closest unclustered neighbours, up to maxSize. Every member is thus within the
 * threshold of its seed (a coherent topic, unlike single-link chains). Stops when no seed can
 * reach minSize. Returns clusters as lists of input indices, seed first.
 *
 * @example
 * clusterByCosine(vectors, { threshold: 0.75, minSize: 3, maxSize: 20 }); // [[4, 0, 7], ...]
 */
export function clusterByCosine(vectors: Float32Array[], options: ClusterOptions): number[][] {
  const n = vectors.length;
  const { threshold, minSize, maxSize } = options;
  const neighbours: { j: number; s: number }[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = cosine(vectors[i] as Float32Array, vectors[j] as Float32Array);
      if (s >= threshold) {
        neighbours[i]?.push({ j, s });
        neighbours[j]?.push({ j: i, s });
      }
    }
  }
  for (const list of neighbours) list.sort((x, y) => y.s - x.s || x.j - y.j);
  const free = new Array<boolean>(n).fill(true);
  const degree = neighbours.map((l) => l.length);
  const take = (i: number) => {
    free[i] = false;
    for (const { j } of neighbours[i] ?? []) degree[j] = (degree[j] ?? 0) - 1;
  };
  const clusters: number[][] = [];
  for (;;) {
    let seed = -1;
    for (let i = 0; i < n; i++) {
      if (free[i] && (seed < 0 || (degree[i] ?? 0) > (degree[seed] ?? 0))) seed = i;
    }
    if (seed < 0 || (degree[seed] ?? 0) + 1 < minSize) break;
    const members = [seed];
    for (const { j } of neighbours[seed] ?? []) {
      if (members.length >= maxSize) break;
      if (free[j]) members.push(j);
    }
    for (const m of members) take(m);
    clusters.push(members);
  }
  return clusters;
}
