import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFromConfig } from "../../core/backend-registry.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import "../register-qdrant.js";
import { rejection } from "../../testing/store-conformance/helpers.js";
import { createQdrantVectorStore } from "./create.js";
import { pointId } from "./points.js";
import { type FakeQdrant, startFakeQdrant } from "./test-helpers.js";

let fake: FakeQdrant;
let n = 0;
beforeAll(async () => {
  fake = await startFakeQdrant();
});
afterAll(async () => {
  await fake.close();
});

const item = (id: string, metadata: Record<string, unknown> = {}, memory = `memory ${id}`) =>
  TextualMemoryItem.parse({ id, memory, metadata });

/** A store on a fresh collection, and the requests made from here on. */
async function fresh(options: { dimensions?: number; cubeId?: string } = { dimensions: 3 }) {
  const collection = `col-${++n}`;
  const store = await createQdrantVectorStore({ url: fake.url, collection, ...options });
  const from = fake.requests.length;
  return { store, collection, since: () => fake.requests.slice(from) };
}

const paths = (rs: { method: string; path: string }[]) => rs.map((r) => `${r.method} ${r.path}`);

describe("Qdrant store: requests", () => {
  it("creates a Cosine collection with a named vector and the payload indexes its filters use", async () => {
    const from = fake.requests.length;
    await createQdrantVectorStore({ url: fake.url, collection: "made", dimensions: 3 });
    const rs = fake.requests.slice(from);
    expect(paths(rs)).toEqual([
      "GET /collections/made/exists",
      "PUT /collections/made",
      "PUT /collections/made/index",
      "PUT /collections/made/index",
      "PUT /collections/made/index",
    ]);
    expect(rs[1]?.body).toEqual({ vectors: { memory: { size: 3, distance: "Cosine" } } });
    expect(rs.slice(2).map((r) => (r.body as { field_name: string }).field_name)).toEqual([
      "memos_cube",
      "id",
      "memos_text",
    ]);
    expect(rs[4]?.body).toMatchObject({ field_schema: { type: "text", tokenizer: "word", lowercase: true } });
  });

  it("writes a batch in one request with wait=true, then reads the vectors back before acknowledging", async () => {
    const { store, collection, since } = await fresh();
    await store.addItems([
      {
        item: item("a", { user_id: "u1", nested: { x: [1, null] } }),
        embedding: new Float32Array([3, 0, 4]),
      },
      { item: item("b") },
    ]);
    const rs = since();
    expect(paths(rs)).toEqual([
      `POST /collections/${collection}/points`, // which ids exist already
      `POST /collections/${collection}/points/batch`,
      `POST /collections/${collection}/points`, // the vectors are there
    ]);
    expect(rs[1]?.query).toEqual({ wait: "true" });
    const batch = fake.server.body<{ operations: { upsert: { points: Record<string, unknown>[] } }[] }>(
      fake.requests.indexOf(rs[1] as (typeof rs)[number]),
    );
    const [upsert] = batch.operations;
    expect(upsert?.upsert.points[0]).toEqual({
      id: pointId("default", "a"),
      vector: { memory: [3, 0, 4] },
      payload: {
        id: "a",
        memory: "memory a",
        metadata: item("a", { user_id: "u1", nested: { x: [1, null] } }).metadata,
        memos_cube: "default",
        memos_text: "memory a\n",
        memos_vector: [3, 0, 4],
      },
    });
    expect(upsert?.upsert.points[1]?.vector).toEqual({}); // no vector: none sent
    expect(rs[2]?.body).toEqual({
      ids: [pointId("default", "a")],
      with_payload: false,
      with_vector: ["memory"],
    });
    // The exact vector comes back, not Qdrant's normalised copy.
    expect(Array.from((await store.getEmbedding("a")) ?? [])).toEqual([3, 0, 4]);
  });

  it("answers a write as failed when Qdrant does not complete it or loses its vectors", async () => {
    const { store } = await fresh();
    fake.failNextBatch("acknowledged");
    expect((await rejection(store.addItems([{ item: item("a") }]))).message).toMatch(
      /did not complete 1 of 1/,
    );
    fake.loseNextVectors();
    const lost = await rejection(
      store.addItems([{ item: item("b"), embedding: new Float32Array([1, 0, 0]) }]),
    );
    expect(lost.code).toBe("storage");
    expect(lost.message).toMatch(/holds 0 of its 1 vectors/);
  });

  it("pushes the exact part of a filter into the search and runs the rest on the payload", async () => {
    const { store, collection, since } = await fresh({ dimensions: 2, cubeId: "cube-9" });
    await store.addItems([
      { item: item("p1", { user_id: "u1", tags: ["x"], priority: 1 }), embedding: new Float32Array([1, 0]) },
      {
        item: item("p2", { user_id: "u1", tags: ["x"], priority: 5 }),
        embedding: new Float32Array([0.9, 0.1]),
      },
      { item: item("p3", { user_id: "u2", tags: ["x"], priority: 9 }), embedding: new Float32Array([1, 0]) },
    ]);
    const from = since().length;
    const hits = await store.vectorSearch(new Float32Array([1, 0]), {
      k: 2,
      filter: { user_id: "u1", tags: { contains: "x" }, status: { ne: "archived" }, priority: { gt: 2 } },
    });
    expect(hits.map((h) => h.id)).toEqual(["p2"]);
    const search = since()
      .slice(from)
      .find((r) => r.path === `/collections/${collection}/points/search`);
    expect(search?.body).toEqual({
      vector: { name: "memory", vector: [1, 0] },
      filter: {
        must: [
          { key: "memos_cube", match: { value: "cube-9" } },
          { key: "metadata.user_id", match: { value: "u1" } },
          { key: "metadata.tags", match: { value: "x" } },
        ],
        must_not: [{ key: "metadata.status", match: { value: "archived" } }],
      },
      limit: 100, // over-fetched: priority runs afterwards
      offset: 0,
      with_payload: { exclude: ["memos_vector"] },
      with_vector: ["memory"],
    });
  });

  it("keyword search asks for any query word in the full-text field and counts document frequencies", async () => {
    const { store, collection, since } = await fresh();
    await store.addItems([
      { item: item("t", {}, "green tea by the door") },
      { item: item("o", {}, "a quiet evening") },
    ]);
    const from = since().length;
    expect((await store.keywordSearch('tea" OR *:* -door', { k: 5 })).map((h) => h.id)).toEqual(["t"]);
    const rs = since().slice(from);
    const scroll = rs.find((r) => r.path.endsWith("/points/scroll"));
    expect((scroll?.body as { filter?: unknown } | undefined)?.filter).toEqual({
      must: [{ key: "memos_cube", match: { value: "default" } }],
      should: [
        { key: "memos_text", match: { text: "tea" } },
        { key: "memos_text", match: { text: "door" } },
      ],
    });
    expect(rs.filter((r) => r.path === `/collections/${collection}/points/count`)).toHaveLength(3); // N, df(tea), df(door)
  });
});

describe("Qdrant store: behaviour without edges", () => {
  it("a transaction sends one batch at commit, none when it throws", async () => {
    const { store, collection, since } = await fresh();
    await store.transaction(async (tx) => {
      await tx.addItems([{ item: item("a"), embedding: new Float32Array([1, 0, 0]) }]);
      await tx.updateItem("a", item("a", {}, "changed"));
      expect((await tx.getItem("a"))?.memory).toBe("changed"); // its own writes, before commit
      expect(await store.getItem("a")).toBeNull(); // nobody else sees them yet
    });
    expect(since().filter((r) => r.path === `/collections/${collection}/points/batch`)).toHaveLength(1);
    expect((await store.getItem("a"))?.memory).toBe("changed");
    expect(Array.from((await store.getEmbedding("a")) ?? [])).toEqual([1, 0, 0]);
    const before = since().length;
    await expect(
      store.transaction(async (tx) => {
        await tx.deleteItems(["a"]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(
      since()
        .slice(before)
        .some((r) => r.path.endsWith("/points/batch")),
    ).toBe(false);
    expect(await store.count()).toBe(1);
  });

  it("exports and imports MemOS's shape, vectors included; refuses edges with a hint", async () => {
    const { store } = await fresh();
    await store.addItems([
      { item: item("a", { tags: ["t"] }), embedding: new Float32Array([0.5, 0.25, 1]) },
      { item: item("b") },
    ]);
    const data = JSON.parse(JSON.stringify(await store.exportAll()));
    expect(data).toMatchObject({ total_nodes: 2, total_edges: 0, edges: [] });
    const other = (await fresh()).store;
    await other.importAll(data, { mode: "replace" });
    expect(await other.getItem("a")).toEqual(await store.getItem("a"));
    expect(await other.getEmbedding("a")).toEqual(await store.getEmbedding("a"));
    expect(await other.vectorSearch(new Float32Array([0.5, 0.25, 1]), { k: 2 })).toEqual(
      await store.vectorSearch(new Float32Array([0.5, 0.25, 1]), { k: 2 }),
    );
    const edge = await rejection(store.addEdges([{ source: "a", target: "b", type: "RELATE_TO" }]));
    expect(edge.hint).toMatch(/tree memory/);
    expect(
      (await rejection(other.importAll({ ...data, edges: [{ source: "a", target: "b", type: "PARENT" }] })))
        .code,
    ).toBe("invalid_input");
    expect(await store.neighbors("a")).toEqual([]);
  });

  it("needs a vector size before its collection exists", async () => {
    const { store } = await fresh({});
    const err = await rejection(store.addItems([{ item: item("a") }]));
    expect(err.hint).toMatch(/vector_dimension/);
    await store.addItems([{ item: item("b"), embedding: new Float32Array([1, 2]) }]); // the first vector sizes it
    expect(store.dimensions).toBe(2);
  });

  it("is the `qdrant` store backend, with MemOS's config keys", async () => {
    const store = await createFromConfig<MemoryStore>("store", {
      backend: "qdrant",
      config: {
        url: fake.url,
        collection_name: `cfg-${++n}`,
        vector_dimension: 4,
        distance_metric: "cosine",
      },
    });
    expect(store.provider).toBe("qdrant");
    expect(store.dimensions).toBe(4);
    const saved = process.env.QDRANT_URL;
    delete process.env.QDRANT_URL;
    try {
      expect((await rejection(createFromConfig("store", { backend: "qdrant", config: {} }))).code).toBe(
        "config",
      );
    } finally {
      if (saved !== undefined) process.env.QDRANT_URL = saved;
    }
    const dot = { backend: "qdrant", config: { url: fake.url, distance_metric: "dot" } };
    expect((await rejection(createFromConfig("store", dot))).code).toBe("config");
  });
});
