import { describe, expect, it, vi } from "vitest";
import { ProviderError } from "../../core/errors/provider-error.js";
import {
  attemptSignal,
  backoffDelay,
  isRetryableNetworkError,
  isRetryableStatus,
  networkErrorCode,
  parseRetryAfter,
  withRetry,
  withRetryAfter,
} from "./retry.js";

const retryable = (status = 503) =>
  new ProviderError({ message: `status ${status}`, status, retryable: true });

describe("withRetry", () => {
  it("retries a retryable ProviderError and returns the first success", async () => {
    const fn = vi.fn().mockRejectedValueOnce(retryable()).mockResolvedValueOnce("ok");
    await expect(withRetry(fn, { baseDelayMs: 1 })).resolves.toBe("ok");
    expect(fn).toHaveBeenCalledTimes(2);
    expect(fn.mock.calls[1]?.[1]).toBe(1); // attempt number
  });

  it("gives up after maxRetries and throws the last error", async () => {
    const fn = vi.fn().mockRejectedValue(retryable());
    const onRetry = vi.fn();
    await expect(withRetry(fn, { maxRetries: 2, baseDelayMs: 1, onRetry })).rejects.toThrow("status 503");
    expect(fn).toHaveBeenCalledTimes(3);
    expect(onRetry).toHaveBeenCalledTimes(2);
  });

  it("does not retry non-retryable or foreign errors", async () => {
    const notRetryable = vi
      .fn()
      .mockRejectedValue(new ProviderError({ message: "bad request", status: 400 }));
    await expect(withRetry(notRetryable, { baseDelayMs: 1 })).rejects.toThrow("bad request");
    expect(notRetryable).toHaveBeenCalledTimes(1);
    const foreign = vi.fn().mockRejectedValue(new TypeError("boom"));
    await expect(withRetry(foreign, { baseDelayMs: 1 })).rejects.toThrow(TypeError);
    expect(foreign).toHaveBeenCalledTimes(1);
  });

  it("honours the server's Retry-After over its own backoff", async () => {
    const fn = vi
      .fn()
      .mockRejectedValueOnce(withRetryAfter(retryable(429), 0))
      .mockResolvedValueOnce("ok");
    const onRetry = vi.fn();
    await withRetry(fn, { baseDelayMs: 5000, onRetry });
    expect(onRetry.mock.calls[0]?.[0].delayMs).toBe(0);
  });

  it("ignores a Retry-After beyond 60 s and backs off instead", async () => {
    const fn = vi
      .fn()
      .mockRejectedValueOnce(withRetryAfter(retryable(429), 3_600_000))
      .mockResolvedValueOnce("ok");
    const onRetry = vi.fn();
    await withRetry(fn, { baseDelayMs: 2, random: () => 0, onRetry });
    expect(onRetry.mock.calls[0]?.[0].delayMs).toBe(1);
  });

  it("times an attempt out → retryable ProviderError naming the provider and the limit", async () => {
    const hang = (signal: AbortSignal | undefined) =>
      new Promise<never>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
    const error = await withRetry(hang, { timeoutMs: 30, maxRetries: 0, provider: "tei" }).catch(
      (e: unknown) => e,
    );
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toBe("tei request timed out after 30 ms");
    expect((error as ProviderError).retryable).toBe(true);
  });

  it("retries a timed-out attempt, each with a fresh timeout", async () => {
    let calls = 0;
    const fn = (signal: AbortSignal | undefined) => {
      calls++;
      if (calls === 1)
        return new Promise<string>((_, reject) =>
          signal?.addEventListener("abort", () => reject(signal.reason)),
        );
      return Promise.resolve("second");
    };
    await expect(withRetry(fn, { timeoutMs: 20, baseDelayMs: 1 })).resolves.toBe("second");
  });

  it("the caller's abort wins: its reason is thrown, during an attempt or a backoff", async () => {
    const controller = new AbortController();
    const fn = vi.fn().mockImplementation(async () => {
      controller.abort(new Error("user cancelled"));
      throw retryable();
    });
    await expect(withRetry(fn, { signal: controller.signal, baseDelayMs: 1 })).rejects.toThrow(
      "user cancelled",
    );
    expect(fn).toHaveBeenCalledTimes(1);

    const during = new AbortController();
    const slow = vi.fn().mockRejectedValue(retryable());
    const pending = withRetry(slow, { signal: during.signal, baseDelayMs: 10_000 });
    setTimeout(() => during.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("an already-aborted signal never calls fn", async () => {
    const fn = vi.fn();
    await expect(withRetry(fn, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(fn).not.toHaveBeenCalled();
  });
});

describe("retry helpers", () => {
  it("backoff doubles, is capped, and jitters within [step/2, step]", () => {
    expect(backoffDelay(0, { baseDelayMs: 500, random: () => 0 })).toBe(250);
    expect(backoffDelay(0, { baseDelayMs: 500, random: () => 0.999999 })).toBe(500);
    expect(backoffDelay(3, { baseDelayMs: 500, random: () => 1 })).toBe(4000);
    expect(backoffDelay(10, { baseDelayMs: 500, maxDelayMs: 8000, random: () => 1 })).toBe(8000);
  });

  it("parses retry-after-ms, delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "1500" }))).toBe(1500);
    expect(parseRetryAfter(new Headers({ "retry-after": "2" }))).toBe(2000);
    expect(parseRetryAfter({ "Retry-After": "0" })).toBe(0);
    const now = Date.parse("2025-03-10T10:00:00Z");
    expect(parseRetryAfter({ "retry-after": "Mon, 10 Mar 2025 10:00:05 GMT" }, now)).toBe(5000);
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it("classifies statuses", () => {
    for (const s of [408, 409, 429, 500, 502, 503, 504]) expect(isRetryableStatus(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 422, undefined]) expect(isRetryableStatus(s)).toBe(false);
  });

  it("finds socket codes in cause chains and AggregateErrors; ECONNREFUSED is not retryable", () => {
    const reset = new TypeError("fetch failed", {
      cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
    });
    expect(networkErrorCode(reset)).toBe("ECONNRESET");
    expect(isRetryableNetworkError(reset)).toBe(true);
    const refused = new TypeError("fetch failed", {
      cause: new AggregateError([
        Object.assign(new Error("connect ECONNREFUSED ::1:11434"), { code: "ECONNREFUSED" }),
      ]),
    });
    expect(networkErrorCode(refused)).toBe("ECONNREFUSED");
    expect(isRetryableNetworkError(refused)).toBe(false);
    expect(isRetryableNetworkError(new Error("nothing"))).toBe(false);
  });

  it("attemptSignal tells our timeout from the caller's abort", async () => {
    const caller = new AbortController();
    const a = attemptSignal(caller.signal, 10);
    await new Promise((r) => setTimeout(r, 30));
    expect(a.signal?.aborted).toBe(true);
    expect(a.timedOut()).toBe(true);
    const b = attemptSignal(caller.signal, 10_000);
    caller.abort();
    expect(b.signal?.aborted).toBe(true);
    expect(b.timedOut()).toBe(false);
    expect(attemptSignal(undefined, undefined).signal).toBeUndefined();
  });
});
