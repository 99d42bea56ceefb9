/**
 * Per-client token buckets: each key (or, without keys, each caller address) may spend
 * `perMinute` requests in a burst and gets them back at `perMinute / 60` per second. Buckets of
 * idle clients are dropped, so memory stays bounded by the active clients.
 *
 * @example
 * const limiter = new RateLimiter({ perMinute: 600 });
 * const verdict = limiter.take("key:3f9a0c1d2e4b");
 * if (!verdict.ok) return 429 with Retry-After: verdict.retryAfterSeconds
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly capacity: number;
  private readonly perMs: number;

  constructor(
    options: { perMinute: number },
    private readonly now: () => number = Date.now,
  ) {
    this.capacity = options.perMinute;
    this.perMs = options.perMinute / 60_000;
  }

  /** Spend one token of `client`; when none is left, how long until one is back. */
  take(client: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.set(client, bucket);
    if (this.buckets.size > 10_000) this.sweep(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  private sweep(now: number): void {
    const full = this.capacity / this.perMs;
    for (const [client, b] of this.buckets) if (now - b.at > full) this.buckets.delete(client);
  }
}
