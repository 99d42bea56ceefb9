/**
 * The MemoryStore conformance suite. Every adapter (sqlite, postgres, neo4j, ...) runs it, so
 * code above the storage layer can rely on one set of semantics (see core/interfaces/store.ts).
 * Published as `memos-ts/test`: a third party writing a store runs the same suite we do. Vitest
 * is its only test-framework import; call it from a vitest test file.
 *
 * @example
 * // src/storage/postgres/conformance.test.ts
 * runStoreConformance("postgres", () => createPostgresMemoryStore({ url, cubeId: newId() }));
 * // a vector-only store leaves out what it does not offer, visibly skipped in the report:
 * runStoreConformance("qdrant", makeQdrantStore, { skip: ["keyword search", "edges"] });
 */
import { afterEach, beforeAll, beforeEach, expect, describe as vitestDescribe } from "vitest";
import { InvalidInputError } from "../core/errors/index.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import { CONFORMANCE_DIMENSIONS } from "./store-conformance/dimensions.js";
import { edgeTests } from "./store-conformance/edges.js";
import { filterTests } from "./store-conformance/filters.js";
import { skippable } from "./store-conformance/helpers.js";
import { itemTests } from "./store-conformance/items.js";
import { keywordSearchTests } from "./store-conformance/keyword-search.js";
import { portabilityTests } from "./store-conformance/portability.js";
import { transactionTests } from "./store-conformance/transactions.js";
import { vectorSearchTests } from "./store-conformance/vector-search.js";

export { CONFORMANCE_DIMENSIONS };

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions {
  /**
   * Groups or tests to leave out, each shown as skipped in the report. A group names a
   * capability: "items", "vector search", "keyword search", "filter DSL", "edges",
   * "export and import", "transactions". A test is named by its title, or by its group and title
   * joined with " > " when a title alone is ambiguous. A name that matches nothing fails the
   * suite, so a typo cannot silently run what was meant to be skipped (or the reverse).
   */
  skip?: string[];
}

/**
 * Define the shared conformance suite for one MemoryStore adapter.
 *
 * @param name shown in the test report
 * @param makeStore returns a fresh, empty store (its vector dimension unset or
 *   {@link CONFORMANCE_DIMENSIONS}); called once per test, and closed after it.
 * @param options `skip`: groups (capabilities) or tests the adapter does not offer
 * @example
 * runStoreConformance("sqlite (in-memory)", () => createSqliteMemoryStore({ path: ":memory:" }));
 */
export function runStoreConformance(
  name: string,
  makeStore: () => Promise<MemoryStore>,
  options: StoreConformanceOptions = {},
): void {
  const { describe, it, unmatched } = skippable(options.skip ?? []);
  vitestDescribe(`MemoryStore conformance: ${name}`, () => {
    let store: MemoryStore;
    const extra: MemoryStore[] = [];

    beforeAll(() => {
      const unknown = unmatched();
      if (unknown.length > 0) {
        throw new InvalidInputError({
          message: `runStoreConformance skip list names no group or test: ${unknown.map((u) => `"${u}"`).join(", ")}`,
          hint: 'name a group ("vector search"), a test title, or "group > test title"',
        });
      }
    });

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
      for (const s of extra.splice(0)) await s.close();
    });

    async function another(): Promise<MemoryStore> {
      const s = await makeStore();
      extra.push(s);
      return s;
    }

    it("declares the v1 specification", () => {
      expect(store.specificationVersion).toBe("v1");
      expect(typeof store.provider).toBe("string");
    });

    const context = { describe, it, current: () => store, another };
    itemTests(context);
    vectorSearchTests(context);
    keywordSearchTests(context);
    filterTests(context);
    edgeTests(context);
    portabilityTests(context);
    transactionTests(context);
  });
}
