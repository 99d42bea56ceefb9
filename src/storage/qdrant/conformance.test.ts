/**
 * The shared store conformance suite for the Qdrant store: always against the fake Qdrant on
 * loopback (./test-helpers.ts), and against a real server when QDRANT_URL is set (no CI machine
 * of this project can run Qdrant: one visible skip, also under MEMOS_REQUIRE_SERVICES=1).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { describeWithOptionalService } from "../../../test/support/services.js";
import { CONFORMANCE_DIMENSIONS, runStoreConformance } from "../../testing/store-conformance.js";
import { createQdrantVectorStore } from "./create.js";
import { type FakeQdrant, startFakeQdrant } from "./test-helpers.js";

/** What a vector store without edges leaves out, by name (the suite fails on a name that matches nothing). */
const SKIP = [
  "edges",
  // These build graphs with addEdges, which the Qdrant store refuses.
  "deletes items with their vectors, keyword rows and edges",
  "exports the MemOS textual_memory.json shape with embeddings in metadata",
  "imports an export into a fresh store with nodes, edges and vectors intact",
  "merges or replaces",
  "keeps memories whose embedding has another dimension, without a vector",
  "commits all writes together and returns fn's value",
  "rolls back everything when fn throws, and rethrows its error",
];

let fake: FakeQdrant;
beforeAll(async () => {
  fake = await startFakeQdrant();
});
afterAll(async () => {
  await fake.close();
});

// A collection per test: the suite wants an empty store each time.
runStoreConformance(
  "qdrant (fake server on loopback)",
  () =>
    createQdrantVectorStore({
      url: fake.url,
      collection: `c-${randomUUID()}`,
      dimensions: CONFORMANCE_DIMENSIONS,
    }),
  { skip: SKIP },
);

const url = process.env.QDRANT_URL;
const made: string[] = [];
describeWithOptionalService(
  "qdrant",
  url,
  "set QDRANT_URL (e.g. http://localhost:6333)",
  "MemoryStore conformance: qdrant",
  () => {
    runStoreConformance(
      "qdrant (real server)",
      () => {
        const collection = `memos-conformance-${randomUUID()}`;
        made.push(collection);
        return createQdrantVectorStore({
          url: url as string,
          apiKey: process.env.QDRANT_API_KEY,
          collection,
          dimensions: CONFORMANCE_DIMENSIONS,
        });
      },
      { skip: SKIP },
    );
    afterAll(async () => {
      const { QdrantClient } = await import("@qdrant/js-client-rest");
      const client = new QdrantClient({ url, apiKey: process.env.QDRANT_API_KEY, checkCompatibility: false });
      for (const c of made) await client.deleteCollection(c);
    }, 120_000);
  },
);
