import { it } from "vitest";

/**
 * Tests that need an external service (PostgreSQL, Redis, Neo4j, Qdrant, ...) call this instead
 * of `it`: without the service they skip with a visible reason — except when
 * MEMOS_REQUIRE_SERVICES=1 (set by .ci/run), where a missing service fails the test, so CI can
 * never pass by skipping.
 *
 * @example
 * itWithService("postgres", process.env.MEMOS_TEST_PG_URL, "set MEMOS_TEST_PG_URL", "round-trips", async () => { ... });
 */
export function itWithService(
  service: string,
  available: unknown,
  howToProvide: string,
  name: string,
  body: () => Promise<void> | void,
  timeout?: number,
): void {
  if (available) {
    it(name, body, timeout);
    return;
  }
  if (process.env.MEMOS_REQUIRE_SERVICES === "1") {
    it(name, () => {
      throw new Error(`${service} is required (MEMOS_REQUIRE_SERVICES=1) but not available: ${howToProvide}`);
    });
    return;
  }
  it.skip(`${name} [skipped: no ${service}; ${howToProvide}]`, body);
}
