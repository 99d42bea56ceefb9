import { describe, expect, it } from "vitest";
import { mulberry32 } from "./random.js";
import { cosine, isZeroVector, l2Normalize, norm } from "./vector.js";

describe("vector maths", () => {
  it("cosine: parallel 1, orthogonal 0, opposite -1, zero vector 0 (not NaN)", () => {
    expect(cosine(Float32Array.of(1, 2), Float32Array.of(2, 4))).toBeCloseTo(1, 6);
    expect(cosine(Float32Array.of(1, 0), Float32Array.of(0, 3))).toBe(0);
    expect(cosine(Float32Array.of(1, 1), Float32Array.of(-2, -2))).toBeCloseTo(-1, 6);
    expect(cosine(Float32Array.of(0, 0), Float32Array.of(1, 1))).toBe(0);
  });
  it("l2Normalize gives unit length and leaves a zero vector zero", () => {
    const v = l2Normalize([3, 4]);
    expect(Array.from(v)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(norm(v)).toBeCloseTo(1, 6);
    expect(Array.from(l2Normalize([0, 0]))).toEqual([0, 0]);
  });
  it("isZeroVector", () => {
    expect(isZeroVector(Float32Array.of(0, 0))).toBe(true);
    expect(isZeroVector(Float32Array.of(0, 1e-9))).toBe(false);
  });
  it("mulberry32 repeats for a seed, differs across seeds, stays in [0, 1)", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.slice(0, 5)).not.toEqual(Array.from({ length: 5 }, () => c()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
