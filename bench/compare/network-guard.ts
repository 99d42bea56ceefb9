/**
 * Proof that a third-party memory runs offline: while installed, every outgoing request through
 * `fetch` or `http(s).request/get` (what the OpenAI SDK, axios and mem0's telemetry use) is
 * recorded and refused. Reports state the count, which must be 0.
 */
import http from "node:http";
import https from "node:https";

/** A guard in place; `restore` puts the original functions back. */
export interface NetworkGuard {
  /** The requests attempted so far ("fetch https://…", "https.request …"). */
  readonly attempts: readonly string[];
  restore(): void;
}

function describeTarget(target: unknown): string {
  if (typeof target === "string") return target;
  if (target instanceof URL) return target.href;
  if (typeof target === "object" && target !== null) {
    const t = target as { url?: unknown; hostname?: unknown; host?: unknown; path?: unknown };
    if (typeof t.url === "string") return t.url;
    return `${String(t.hostname ?? t.host ?? "?")}${typeof t.path === "string" ? t.path : ""}`;
  }
  return String(target);
}

/** Installs the guard. Guards nest: restore them in reverse order. */
export function installNetworkGuard(): NetworkGuard {
  const attempts: string[] = [];
  const refuse = (what: string, target: unknown): Error => {
    const line = `${what} ${describeTarget(target)}`;
    attempts.push(line);
    return new Error(`network access refused by the benchmark's offline guard: ${line}`);
  };
  const originalFetch = globalThis.fetch;
  const saved = [
    [http, "request", http.request],
    [http, "get", http.get],
    [https, "request", https.request],
    [https, "get", https.get],
  ] as const;
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0]) => {
    throw refuse("fetch", input);
  }) as typeof fetch;
  for (const [mod, key] of saved) {
    const name = `${mod === http ? "http" : "https"}.${key}`;
    // Throwing synchronously, as a refused socket would not: the caller must not get a request object.
    (mod as unknown as Record<string, unknown>)[key] = (target: unknown) => {
      throw refuse(name, target);
    };
  }
  return {
    attempts,
    restore() {
      globalThis.fetch = originalFetch;
      for (const [mod, key, fn] of saved) (mod as unknown as Record<string, unknown>)[key] = fn;
    },
  };
}
