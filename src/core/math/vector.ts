/**
 * Vector maths shared by every layer (search, dedup, organize, rerankers, embedders). One copy,
 * so "similar" means the same thing everywhere.
 */

/**
 * Cosine similarity over the common prefix of two vectors; 0 when either has no direction
 * (an all-zero vector), never NaN.
 *
 * @example
 * cosine(Float32Array.of(1, 0), Float32Array.of(1, 1)) // ≈ 0.707
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Euclidean length. */
export function norm(v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] as number) ** 2;
  return Math.sqrt(sum);
}

/**
 * L2-normalised copy; a zero vector stays zero rather than becoming NaN.
 *
 * @example
 * l2Normalize([3, 4]) // Float32Array [0.6, 0.8]
 */
export function l2Normalize(values: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(values);
  const n = norm(out);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / n;
  return out;
}

/** True when every component is 0: such a vector has no direction (stores refuse it as a query). */
export function isZeroVector(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}
