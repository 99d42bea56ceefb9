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

/**
 * Tests against a service that no CI machine of this project can provide (a Neo4j or Qdrant
 * server: neither is packaged in Debian, and the CI machines cannot download one). Without the
 * service they skip with a visible reason naming the variable to set — also under
 * MEMOS_REQUIRE_SERVICES=1, which is why this is not {@link itWithService}: there a skip would
 * fail CI for a service CI can never have. The code paths these tests guard are covered by unit
 * and request-shape tests that always run; a developer with the server sets the variable.
 *
 * @example
 * itWithOptionalService("neo4j", process.env.NEO4J_URI, "set NEO4J_URI (+ NEO4J_USER, NEO4J_PASSWORD)", "connects", async () => { ... });
 */
export function itWithOptionalService(
  service: string,
  available: unknown,
  howToProvide: string,
  name: string,
  body: () => Promise<void> | void,
  timeout?: number,
): void {
  if (available) it(name, body, timeout);
  else it.skip(optionalSkipTitle(service, howToProvide, name), body);
}

/**
 * A whole suite (a conformance run) against an opt-in service, as {@link itWithOptionalService}:
 * `define` registers the suite when the service is available, else one skipped test says why.
 *
 * @example
 * describeWithOptionalService("qdrant", process.env.QDRANT_URL, "set QDRANT_URL", "conformance", () =>
 *   runStoreConformance("qdrant", makeStore),
 * );
 */
export function describeWithOptionalService(
  service: string,
  available: unknown,
  howToProvide: string,
  name: string,
  define: () => void,
): void {
  if (available) define();
  else it.skip(optionalSkipTitle(service, howToProvide, name), () => {});
}

function optionalSkipTitle(service: string, howToProvide: string, name: string): string {
  return `${name} [skipped: no ${service} (opt-in, none in CI); ${howToProvide}]`;
}
