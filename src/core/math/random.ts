/**
 * mulberry32: a tiny, fast, seedable PRNG with uniform output in [0, 1). Quality is ample for
 * test data, synthetic corpora, random weights and feature hashing; never use it for secrets.
 *
 * @example
 * const rand = mulberry32(42);
 * rand(); // same sequence on every run
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
