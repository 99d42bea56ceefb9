/**
 * Checks on a vector a caller hands any store: its form and values (toVector), the query vector's
 * direction (queryVector), and the one error for a dimension a cube does not store.
 */
import { InvalidInputError, StorageError } from "../../core/errors/index.js";
import { isZeroVector } from "../../core/math/vector.js";

/**
 * Check a vector given by a caller and return it as a Float32Array. Plain number arrays are
 * accepted too (JavaScript callers, JSON imports). Non-finite values are rejected: they would
 * poison every distance computed against them.
 *
 * @example
 * toVector([0.1, 0.2], "embedding"); // Float32Array [0.1, 0.2]
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

/**
 * A search's query vector, checked: a vector (see {@link toVector}) that is not all zeros, since
 * a zero vector has no direction to rank by.
 *
 * @example
 * queryVector([0.6, 0.8]); // Float32Array [0.6, 0.8]; [0, 0] throws InvalidInputError
 */
export function queryVector(vector: unknown): Float32Array {
  const q = toVector(vector, "query vector");
  if (isZeroVector(q)) {
    throw new InvalidInputError({
      message: "the query vector is all zeros, so it has no direction to compare",
      hint: "embed a non-empty query; an embedder gives zeros for text it has no words for",
    });
  }
  return q;
}

/** The error for a vector whose dimension is not the cube's. */
export function dimensionMismatch(got: number, have: number, what = "embedding"): StorageError {
  return new StorageError({
    message: `${what} has ${got} dimensions but this cube stores ${have}-dimensional vectors`,
    hint:
      "vectors from different embedding models cannot be mixed: use the embedder this cube was built with, " +
      "or export the cube, import it into a fresh store and re-embed the memories",
  });
}
