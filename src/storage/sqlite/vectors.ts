import { InvalidInputError, StorageError } from "../../core/errors/index.js";

/** Largest k sqlite-vec accepts in one KNN query; beyond it we fall back to an exact scan. */
export const VEC_MAX_K = 4096;

/**
 * Check a vector given by a caller and return it as a Float32Array. Plain number arrays are
 * accepted too (JavaScript callers, JSON imports). Non-finite values are rejected: they would
 * poison every distance computed against them.
 */
export function toVector(value: unknown, what: string): Float32Array {
  let v: Float32Array;
  if (value instanceof Float32Array) v = value;
  else if (Array.isArray(value) && value.every((x) => typeof x === "number")) v = Float32Array.from(value);
  else {
    throw new InvalidInputError({
      message: `${what} must be a Float32Array (or an array of numbers)`,
      hint: "pass the embedder's output unchanged",
    });
  }
  if (v.length === 0) {
    throw new InvalidInputError({
      message: `${what} is empty`,
      hint: "omit the embedding instead of passing an empty one",
    });
  }
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i] as number)) {
      throw new InvalidInputError({
        message: `${what} has a non-finite value at index ${i}`,
        hint: "the embedder returned NaN or Infinity; check its input and configuration",
      });
    }
  }
  return v;
}

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

export function dimensionMismatch(got: number, have: number, what = "embedding"): StorageError {
  return new StorageError({
    message: `${what} has ${got} dimensions but this cube stores ${have}-dimensional vectors`,
    hint:
      "vectors from different embedding models cannot be mixed: use the embedder this cube was built with, " +
      "or export the cube, import it into a fresh store and re-embed the memories",
  });
}

export { isZeroVector } from "../../core/math/vector.js";
