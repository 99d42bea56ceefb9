import http from "node:http";
import { describe, expect, it } from "vitest";
import { installNetworkGuard } from "./network-guard.js";

describe("installNetworkGuard", () => {
  it("refuses and records fetch and http requests, then restores them", async () => {
    const originalFetch = globalThis.fetch;
    const originalRequest = http.request;
    const guard = installNetworkGuard();
    try {
      await expect(fetch("https://example.invalid/x")).rejects.toThrow(/offline guard/);
      expect(() => http.get("http://example.invalid/y")).toThrow(/offline guard/);
      expect(guard.attempts).toEqual([
        "fetch https://example.invalid/x",
        "http.get http://example.invalid/y",
      ]);
    } finally {
      guard.restore();
    }
    expect(globalThis.fetch).toBe(originalFetch);
    expect(http.request).toBe(originalRequest);
  });
});
