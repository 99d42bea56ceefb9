/** Cosine similarity; 0 when either vector has no direction. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** True when a vector is all zeros (stores refuse such a query: it has no direction). */
export function isZero(v: Float32Array): boolean {
  for (const x of v) if (x !== 0) return false;
  return true;
}
