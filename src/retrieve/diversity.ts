import type { Candidate } from "./dedup.js";

/**
 * Spread a ranking over conversation sessions: the n-th candidate of one session (n from 0, in
 * the order kept) has its score multiplied by `decay`^n, and the list is re-sorted greedily by
 * these scores. Questions whose answer gathers facts told in different sessions ("what
 * activities does Maya do?") otherwise get a context budget filled by one talkative session.
 * A candidate without a session id is a group of its own. Scores stay best first, so a caller
 * that merges lists by score keeps the order. `decay` 1 leaves the list as it is.
 *
 * @example
 * diversifyBySession(candidates, 0.8); // a session's second hit ×0.8, its third ×0.64, …
 */
export function diversifyBySession(candidates: Candidate[], decay: number): Candidate[] {
  if (decay >= 1 || candidates.length < 2) return candidates;
  // Per-session queues, each best first (the input is best first).
  const queues = new Map<string, Candidate[]>();
  for (const [i, c] of candidates.entries()) {
    const key = c.item.metadata.session_id ?? `\u0000${i}`;
    const q = queues.get(key);
    if (q) q.push(c);
    else queues.set(key, [c]);
  }
  const heads = [...queues.values()].map((queue) => ({ queue, next: 0, factor: 1 }));
  const out: Candidate[] = [];
  while (out.length < candidates.length) {
    let best: (typeof heads)[number] | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const h of heads) {
      const c = h.queue[h.next];
      if (c && c.score * h.factor > bestScore) {
        best = h;
        bestScore = c.score * h.factor;
      }
    }
    if (!best) break;
    const c = best.queue[best.next] as Candidate;
    out.push({ ...c, score: bestScore });
    best.next++;
    best.factor *= decay;
  }
  return out;
}
