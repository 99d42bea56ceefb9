/** Largest k sqlite-vec accepts in one KNN query; beyond it we fall back to an exact scan. */
export const VEC_MAX_K = 4096;

/** The blob sqlite-vec reads: the raw little-endian float32 bytes, without copying. */
export function vectorBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Copy a float32 blob out of SQLite into a fresh (aligned, caller-owned) Float32Array. */
export function blobToVector(blob: Buffer | Uint8Array): Float32Array {
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

export { isZeroVector } from "../../core/math/vector.js";
