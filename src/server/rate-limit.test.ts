import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit.js";

describe("RateLimiter", () => {
  it("allows a minute's worth in a burst, then refills at perMinute/60 per second", () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60 }, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take("k").ok).toBe(true);
    expect(limiter.take("k")).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take("other").ok).toBe(true);
    now += 1000;
    expect(limiter.take("k").ok).toBe(true);
    expect(limiter.take("k").ok).toBe(false);
  });
});
