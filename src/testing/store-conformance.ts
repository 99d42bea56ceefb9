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
import { afterEach, beforeAll, beforeEach, expect, describe as vitestDescribe, it as vitestIt } from "vitest";
import { InvalidInputError, MemosError } from "../core/errors/index.js";
import type { MemoryStore, StoredItem } from "../core/interfaces/store.js";
import { mulberry32 as rng } from "../core/math/random.js";
import { cosine } from "../core/math/vector.js";
import { type MemoryFilter, matchesFilter, normalizeFilter, type Scalar } from "../core/schema/filter.js";
import {
  type MemoryEdge,
  TextualMemoryExport,
  TextualMemoryItem,
  type TextualMemoryItemInput,
} from "../core/schema/memory.js";

/** Vector size used throughout. `makeStore` must return an empty store whose dimension is unset or this. */
export const CONFORMANCE_DIMENSIONS = 8;
const DIM = CONFORMANCE_DIMENSIONS;

// ---------------------------------------------------------------- helpers

function randomVector(rand: () => number, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = rand() * 2 - 1;
  return v;
}

/** A unit vector at `angle` radians in the plane of the first two axes. */
function angled(angle: number): Float32Array {
  const v = new Float32Array(DIM);
  v[0] = Math.cos(angle);
  v[1] = Math.sin(angle);
  return v;
}

function mem(
  id: string,
  memory: string,
  metadata: TextualMemoryItemInput["metadata"] = {},
): TextualMemoryItem {
  return TextualMemoryItem.parse({ id, memory, metadata });
}

function stored(
  id: string,
  memory: string,
  metadata: TextualMemoryItemInput["metadata"] = {},
  embedding?: Float32Array,
): StoredItem {
  return embedding ? { item: mem(id, memory, metadata), embedding } : { item: mem(id, memory, metadata) };
}

/** What a store must give back for an item it was given: the parsed item, minus the embedding. */
function expectedBack(item: TextualMemoryItemInput): TextualMemoryItem {
  const parsed = TextualMemoryItem.parse(item);
  const { embedding: _e, ...metadata } = parsed.metadata;
  return { ...parsed, metadata } as TextualMemoryItem;
}

async function rejection(p: Promise<unknown>): Promise<MemosError> {
  try {
    await p;
  } catch (error) {
    expect(MemosError.isInstance(error), `expected a MemosError, got ${String(error)}`).toBe(true);
    return error as MemosError;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
const sorted = (xs: string[]) => [...xs].sort();
const edgeKey = (e: Pick<MemoryEdge, "source" | "target" | "type">) => `${e.source}>${e.type}>${e.target}`;

// ---------------------------------------------------------------- filter corpus

/** Metadata chosen to hit the corners: missing vs null, JSON types, arrays, unicode, dates. */
const FILTER_CORPUS: TextualMemoryItemInput[] = [
  {
    id: "f01",
    memory: "common alpha apple",
    metadata: {
      user_id: "u1",
      session_id: "s1",
      tags: ["food", "fruit"],
      confidence: 90,
      created_at: "2025-01-01T00:00:00.000Z",
      key: "apple",
      priority: 1,
      flag: true,
      note: "hello world",
    },
  },
  {
    id: "f02",
    memory: "common beta banana",
    metadata: {
      user_id: "u2",
      session_id: "s1",
      tags: ["food"],
      confidence: 50,
      created_at: "2025-02-01",
      priority: 2.5,
      flag: false,
      note: "Hello",
    },
  },
  {
    id: "f03",
    memory: "common gamma",
    metadata: {
      user_id: null,
      status: "archived",
      tags: [],
      confidence: null,
      priority: "3",
      flag: "true",
      note: null,
    },
  },
  {
    id: "f04",
    memory: "common delta drink",
    metadata: { memory_type: "UserMemory", tags: ["drink", "fruit"], priority: 0, flag: 1, nested: { a: 1 } },
  },
  {
    id: "f05",
    memory: "common epsilon",
    metadata: {
      user_id: "",
      status: "resolving",
      tags: ["Food"],
      priority: -1,
      note: "",
      mixed: [1, "1", true, null],
    },
  },
  {
    id: "f06",
    memory: "common zeta",
    metadata: {
      user_id: "u1",
      session_id: "s2",
      memory_type: "WorkingMemory",
      created_at: "2024-12-31T23:59:59Z",
      priority: 10,
      note: "ünïcödé",
      mixed: ["a", 2],
    },
  },
  {
    id: "f07",
    memory: "common eta",
    metadata: {
      user_id: "u3",
      updated_at: "2025-03-01T00:00:00Z",
      entities: ["x"],
      flag: null,
      priority: 1000,
    },
  },
  {
    id: "f08",
    memory: "common theta",
    metadata: {
      user_id: "u2",
      status: "deleted",
      tags: ["food", "food"],
      note: "world hello",
      mixed: [],
      nested: [1, 2],
    },
  },
  {
    id: "f09",
    memory: "common iota",
    metadata: { user_id: "u10", priority: 2, flag: true, note: "1", created_at: "2025-01-01T00:00:00.000Z" },
  },
  {
    id: "f10",
    memory: "common kappa apple pie",
    metadata: { key: null, confidence: 0, priority: 1.0, mixed: [false, 0], note: "HELLO" },
  },
  {
    id: "f11",
    memory: "common lambda",
    metadata: {
      user_id: "U1",
      memory_type: "LongTermMemory",
      tags: ["fruit"],
      priority: 2.0000001,
      flag: false,
      nested: { b: [1] },
    },
  },
  {
    id: "f12",
    memory: "common mu 中文",
    metadata: {
      user_id: "u1",
      status: "activated",
      session_id: "",
      tags: ["中文", "food"],
      note: "中文 hello",
      created_at: "2025-06-01T12:00:00Z",
    },
  },
];

const FILTER_TABLE: MemoryFilter[] = [
  {},
  { user_id: "u1" },
  { user_id: null },
  { user_id: "" },
  { user_id: { ne: "u1" } },
  { user_id: { ne: null } },
  { user_id: { ne: "" } },
  { user_id: { in: ["u1", "u2"] } },
  { user_id: { in: ["u1", null] } },
  { user_id: { in: [] } },
  { user_id: { in: [1, true] } },
  { user_id: { gt: "u1" } },
  { user_id: { gte: "u1", lt: "u3" } },
  { user_id: { contains: "u1" } },
  { user_id: { contains: "" } },
  { user_id: 1 },
  { session_id: { ne: "s1" } },
  { status: "activated" },
  { status: { in: ["archived", "resolving"] } },
  { status: { ne: "activated" } },
  { memory_type: "UserMemory", status: "activated" },
  { memory_type: { lte: "U" } },
  { priority: 1 },
  { priority: "3" },
  { priority: { gt: 1 } },
  { priority: { gte: 1 } },
  { priority: { lt: 2 } },
  { priority: { lte: 2 } },
  { priority: { gt: "2" } },
  { priority: { ne: 1 } },
  { priority: { in: [1, "3", 10] } },
  { priority: { gte: 0, lt: 3 } },
  { flag: true },
  { flag: false },
  { flag: 1 },
  { flag: "true" },
  { flag: null },
  { flag: { ne: true } },
  { flag: { in: [true, null] } },
  { flag: { gt: 0 } },
  { confidence: { gte: 50 } },
  { confidence: null },
  { confidence: 0 },
  { tags: { contains: "food" } },
  { tags: { contains: "Food" } },
  { tags: { contains: "foo" } },
  { tags: { contains: "中文" } },
  { tags: "food" },
  { tags: { ne: "food" } },
  { tags: { in: ["food"] } },
  { mixed: { contains: 1 } },
  { mixed: { contains: "1" } },
  { mixed: { contains: true } },
  { mixed: { contains: false } },
  { mixed: { contains: 0 } },
  { mixed: { contains: null } },
  { note: { contains: "hello" } },
  { note: { contains: "" } },
  { note: { gt: "H" } },
  { note: { lt: "hello" } },
  { note: "ünïcödé" },
  { note: { contains: 1 } },
  { nested: null },
  { nested: { ne: null } },
  { nested: { contains: 1 } },
  { entities: { contains: "x" } },
  { key: null },
  { key: "apple" },
  { memory: { contains: "apple" } },
  { memory: "common iota" },
  { id: { in: ["f01", "f03", "nope"] } },
  { id: { gte: "f05" } },
  { id: { ne: "f01" } },
  { created_at: { gte: "2025-01-01" } },
  { created_at: { lt: "2025-01-01T00:00:00.000Z" } },
  { created_at: null },
  { updated_at: { ne: null } },
  { or: [{ user_id: "u1" }, { tags: { contains: "drink" } }] },
  { and: [{ or: [{ status: "archived" }, { priority: { gt: 5 } }] }, { user_id: { ne: "u2" } }] },
  { or: [] },
  { and: [] },
  { or: [{ and: [] }] },
  { missing_field: null },
  { missing_field: { ne: null } },
  { missing_field: { gt: 0 } },
  { missing_field: { in: [null] } },
  { user_id: "u1", or: [{ session_id: "s2" }, { flag: true }] },
  { status: "activated", tags: { contains: "food" }, priority: { lt: 100 } },
  { status: { ne: "deleted" }, user_id: { in: ["u1", "u2", ""] }, memory_type: "LongTermMemory" },
];

/** Random filters over the corpus fields, for equivalence beyond the hand-written table. */
function randomFilter(rand: () => number, depth = 0): MemoryFilter {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const fields = [
    "user_id",
    "session_id",
    "status",
    "memory_type",
    "priority",
    "flag",
    "note",
    "tags",
    "mixed",
    "nested",
    "confidence",
    "created_at",
    "id",
    "memory",
    "key",
    "missing_field",
  ] as const;
  const scalars: Scalar[] = [
    "u1",
    "u2",
    "",
    null,
    0,
    1,
    2.5,
    "3",
    true,
    false,
    "food",
    "hello",
    "activated",
    "2025-01-01",
    -1,
    "f05",
    "LongTermMemory",
    "common",
  ];
  const ordered: (string | number)[] = ["u1", "", "H", "hello", 0, 1, 2.5, -1, "2025-01-01", "f05", "U"];
  const ops = ["eq", "ne", "in", "gt", "gte", "lt", "lte", "contains"] as const;
  const filter: MemoryFilter = {};
  const nKeys = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < nKeys; i++) {
    const r = rand();
    if (depth < 2 && r < 0.2) {
      const children = Array.from({ length: Math.floor(rand() * 3) }, () => randomFilter(rand, depth + 1));
      filter[rand() < 0.5 ? "and" : "or"] = children;
      continue;
    }
    const field = pick(fields);
    const op = pick(ops);
    if (r < 0.35) {
      filter[field] = pick(scalars);
    } else if (op === "in") {
      filter[field] = { in: Array.from({ length: Math.floor(rand() * 4) }, () => pick(scalars)) };
    } else if (op === "gt" || op === "gte" || op === "lt" || op === "lte") {
      filter[field] = { [op]: pick(ordered) };
    } else {
      filter[field] = { [op]: pick(scalars) };
    }
  }
  return filter;
}

// ---------------------------------------------------------------- the skip list

type Body = () => unknown;

/**
 * `describe` and `it` that honour a skip list: a group or test named in it is registered with
 * vitest's `.skip`, so it shows as skipped and its body never runs.
 */
function skippable(skip: readonly string[]) {
  const wanted = new Set(skip);
  const seen = new Set<string>();
  /** The group titles around the factory now being collected. */
  let groups: string[] = [];
  const skipped = (title: string, path: string[]): boolean => {
    const names = [title, [...path, title].join(" > ")];
    for (const n of names) seen.add(n);
    return names.some((n) => wanted.has(n)) || path.some((g) => wanted.has(g));
  };
  const describe = (title: string, factory: () => void): void => {
    const path = groups;
    // Vitest may collect a nested factory after its parent's returns: restore this one's path.
    const run = () => {
      const outer = groups;
      groups = [...path, title];
      try {
        factory();
      } finally {
        groups = outer;
      }
    };
    (skipped(title, path) ? vitestDescribe.skip : vitestDescribe)(title, run);
  };
  const it = (title: string, body: Body): void => {
    (skipped(title, groups) ? vitestIt.skip : vitestIt)(title, body);
  };
  const unmatched = () => skip.filter((n) => !seen.has(n));
  return { describe, it, unmatched };
}

// ---------------------------------------------------------------- the suite

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

    describe("items", () => {
      const full: TextualMemoryItemInput = {
        id: "0b6f3a52-5a53-4a0f-9d0e-7a3f64e1b001",
        memory: "Alice moved to Lisbon in March 2024 and works at a bakery.",
        metadata: {
          user_id: "alice",
          session_id: "sess-1",
          cube_id: "cube-a",
          status: "activated",
          type: "fact",
          key: "Alice's home",
          tags: ["home", "work", "lisbon"],
          confidence: 87.5,
          source: "conversation",
          visibility: "private",
          memory_type: "UserMemory",
          sources: [
            {
              type: "chat",
              role: "user",
              chat_time: "2024-03-02T10:00:00Z",
              message_id: "m1",
              content: "I moved to Lisbon",
            },
          ],
          background: "Alice talks about her move.",
          usage: ["2024-03-03T00:00:00Z", { time: "2024-03-04T00:00:00Z", query: "where does alice live" }],
          memory_time: "2024-03",
          entities: ["Alice", "Lisbon"],
          created_at: "2024-03-02T10:00:00.000Z",
          updated_at: "2024-03-05T08:30:00.000Z",
          version: 3,
          history: [
            {
              version: 1,
              memory: "Alice lives in Porto.",
              update_type: "conflict",
              archived_memory_id: "old-1",
              created_at: "2024-01-01T00:00:00Z",
            },
            {
              version: 2,
              memory: "Alice moved to Lisbon.",
              update_type: "update",
              archived_memory_id: null,
              created_at: "2024-03-02T10:00:00Z",
              why: "merge",
            },
          ],
          evolve_to: ["future-1"],
          valid_at: "2024-03-01T00:00:00Z",
          invalid_at: null,
          // Fields MemOS or users add that we do not know must survive untouched.
          custom_score: 0.25,
          custom_nested: { a: [1, "two", null, { b: false }], "weird key": "ok" },
          custom_flag: false,
        },
      };

      it("round-trips items exactly, including unknown fields, history, version and validity", async () => {
        const v = randomVector(rng(1));
        await store.addItems([{ item: TextualMemoryItem.parse(full), embedding: v }]);
        const back = await store.getItem(full.id);
        expect(back).toEqual(expectedBack(full));
        expect(back?.metadata).not.toHaveProperty("embedding");
        expect(Array.from((await store.getEmbedding(full.id)) ?? [])).toEqual(Array.from(v));
        expect(store.dimensions).toBe(DIM);
      });

      it("fills schema defaults and keeps items without a vector", async () => {
        await store.addItems([{ item: { id: "min", memory: "minimal", metadata: {} } as TextualMemoryItem }]);
        const back = await store.getItem("min");
        expect(back?.metadata).toMatchObject({
          status: "activated",
          memory_type: "LongTermMemory",
          tags: [],
          version: 1,
          history: [],
        });
        expect(await store.getEmbedding("min")).toBeNull();
      });

      it("uses metadata.embedding as the vector without storing it twice", async () => {
        const v = Array.from(randomVector(rng(2)));
        await store.addItems([{ item: mem("m", "in metadata", { embedding: v }) }]);
        expect((await store.getItem("m"))?.metadata).not.toHaveProperty("embedding");
        expect(Array.from((await store.getEmbedding("m")) ?? [])).toEqual(Array.from(Float32Array.from(v)));
      });

      it("returns null / skips ids that do not exist", async () => {
        await store.addItems([stored("a", "first"), stored("b", "second")]);
        expect(await store.getItem("nope")).toBeNull();
        expect(await store.getEmbedding("nope")).toBeNull();
        expect(ids(await store.getItems(["b", "nope", "a"]))).toEqual(["b", "a"]);
        expect(await store.getItems([])).toEqual([]);
      });

      it("rejects a duplicate id within a batch and writes nothing of the batch", async () => {
        const err = await rejection(
          store.addItems([
            stored("x", "ex one", {}, angled(0)),
            stored("y", "why", {}, angled(1)),
            stored("x", "ex two"),
          ]),
        );
        expect(err.code).toBe("storage");
        expect(await store.count()).toBe(0);
      });

      it("rejects an id that already exists and writes nothing of the batch", async () => {
        await store.addItems([stored("x", "original text", {}, angled(0))]);
        const err = await rejection(
          store.addItems([
            stored("fresh", "zebra fresh words", {}, angled(1)),
            stored("x", "replacement text", {}, angled(2)),
          ]),
        );
        expect(err.code).toBe("storage");
        expect(await store.count()).toBe(1);
        expect(await store.getItem("fresh")).toBeNull();
        expect((await store.getItem("x"))?.memory).toBe("original text");
        expect(await store.keywordSearch("zebra", { k: 5 })).toEqual([]);
        expect(ids(await store.vectorSearch(angled(1), { k: 5 }))).toEqual(["x"]);
      });

      it("rejects invalid items with InvalidInputError", async () => {
        const err = await rejection(
          store.addItems([{ item: { id: "e", memory: "", metadata: {} } as TextualMemoryItem }]),
        );
        expect(err.code).toBe("invalid_input");
        expect(await store.count()).toBe(0);
      });

      it("upserts: inserts new ids, replaces existing ones, keeps the vector unless given", async () => {
        const v1 = angled(0);
        const v2 = angled(Math.PI / 2);
        await store.addItems([
          stored("a", "old walrus text", { tags: ["t1"] }, v1),
          stored("b", "bee", {}, v2),
        ]);
        await store.upsertItems([
          stored("a", "new narwhal text", { tags: ["t2"], status: "archived" }),
          stored("c", "sea", {}, v2),
        ]);
        expect((await store.getItem("a"))?.memory).toBe("new narwhal text");
        expect((await store.getItem("a"))?.metadata.tags).toEqual(["t2"]);
        expect(Array.from((await store.getEmbedding("a")) ?? [])).toEqual(Array.from(v1));
        expect(await store.count()).toBe(3);
        expect(ids(await store.keywordSearch("walrus", { k: 5 }))).toEqual([]);
        expect(ids(await store.keywordSearch("narwhal", { k: 5 }))).toEqual(["a"]);
        // The kept vector follows the new metadata in filtered search.
        expect(ids(await store.vectorSearch(v1, { k: 5, filter: { status: "activated" } }))).not.toContain(
          "a",
        );
        expect(ids(await store.vectorSearch(v1, { k: 1, filter: { status: "archived" } }))).toEqual(["a"]);
        // A given vector replaces the old one.
        await store.upsertItems([stored("a", "new narwhal text", {}, v2)]);
        expect(Array.from((await store.getEmbedding("a")) ?? [])).toEqual(Array.from(v2));
      });

      it("updates an item's text, metadata and vector; NotFoundError when absent", async () => {
        await store.addItems([
          stored("a", "the old platypus", { user_id: "u1" }, angled(0)),
          stored("b", "other", { user_id: "u1" }, angled(0.3)),
        ]);
        const updated = mem("a", "the new echidna", { user_id: "u1", status: "archived", version: 2 });
        await store.updateItem("a", updated);
        expect(await store.getItem("a")).toEqual(expectedBack(updated));
        expect(ids(await store.keywordSearch("platypus", { k: 5 }))).toEqual([]);
        expect(ids(await store.keywordSearch("echidna", { k: 5 }))).toEqual(["a"]);
        expect(ids(await store.vectorSearch(angled(0), { k: 5, filter: { status: "activated" } }))).toEqual([
          "b",
        ]);
        await store.updateItem("a", updated, angled(Math.PI));
        expect(ids(await store.vectorSearch(angled(Math.PI), { k: 1 }))).toEqual(["a"]);
        const err = await rejection(store.updateItem("missing", mem("missing", "x")));
        expect(err.code).toBe("not_found");
        expect(await store.getItem("missing")).toBeNull();
      });

      it("deletes items with their vectors, keyword rows and edges", async () => {
        await store.addItems([
          stored("a", "aardvark", {}, angled(0)),
          stored("b", "badger", {}, angled(0.1)),
          stored("c", "cheetah", {}, angled(0.2)),
        ]);
        await store.addEdges([
          { source: "a", target: "b", type: "RELATE_TO" },
          { source: "b", target: "c", type: "CAUSE" },
          { source: "c", target: "a", type: "FOLLOWS" },
        ]);
        expect(await store.deleteItems(["b", "nope", "b"])).toBe(1);
        expect(await store.getItem("b")).toBeNull();
        expect(await store.getEmbedding("b")).toBeNull();
        expect(ids(await store.vectorSearch(angled(0.1), { k: 10 }))).not.toContain("b");
        expect(await store.keywordSearch("badger", { k: 10 })).toEqual([]);
        expect((await store.getEdges("a")).map(edgeKey)).toEqual(["c>FOLLOWS>a"]);
        expect(await store.neighbors("c")).toEqual(["a"]);
        expect(await store.count()).toBe(2);
        expect(await store.deleteItems([])).toBe(0);
      });

      it("deleteWhere removes what matches (everything without a filter)", async () => {
        await store.addItems([
          stored("a", "one", { user_id: "u1" }, angled(0)),
          stored("b", "two", { user_id: "u2" }, angled(1)),
          stored("c", "three", { user_id: "u1" }),
        ]);
        expect(await store.deleteWhere({ user_id: "u1" })).toBe(2);
        expect(ids(await store.listItems())).toEqual(["b"]);
        expect(ids(await store.vectorSearch(angled(0), { k: 5 }))).toEqual(["b"]);
        expect(await store.deleteWhere()).toBe(1);
        expect(await store.count()).toBe(0);
        expect(await store.vectorSearch(angled(0), { k: 5 })).toEqual([]);
        // The store stays usable after being emptied.
        await store.addItems([stored("d", "four", {}, angled(2))]);
        expect(ids(await store.vectorSearch(angled(2), { k: 5 }))).toEqual(["d"]);
      });

      it("counts and lists with filters, order and stable paging", async () => {
        const batch: StoredItem[] = [];
        for (let i = 0; i < 25; i++) {
          const day = String(1 + (i % 5)).padStart(2, "0");
          batch.push(
            stored(`id-${String((i * 7) % 25).padStart(2, "0")}`, `memory ${i}`, {
              user_id: i % 2 ? "odd" : "even",
              created_at: `2025-01-${day}T00:00:00.000Z`,
              updated_at: `2025-02-${String(25 - i).padStart(2, "0")}T00:00:00.000Z`,
            }),
          );
        }
        await store.addItems(batch);
        expect(await store.count()).toBe(25);
        expect(await store.count({ user_id: "odd" })).toBe(12);
        const all = await store.listItems();
        const byCreated = [...all].sort((x, y) =>
          x.metadata.created_at === y.metadata.created_at
            ? x.id < y.id
              ? -1
              : 1
            : (x.metadata.created_at ?? "") < (y.metadata.created_at ?? "")
              ? -1
              : 1,
        );
        expect(ids(all)).toEqual(ids(byCreated));
        const paged: string[] = [];
        for (let offset = 0; offset < 30; offset += 7) {
          const page = await store.listItems({ limit: 7, offset });
          expect(page.length).toBeLessThanOrEqual(7);
          paged.push(...ids(page));
        }
        expect(paged).toEqual(ids(all));
        const desc = await store.listItems({ order: "desc" });
        expect(ids(desc)).toEqual(ids(all).reverse());
        const byUpdated = await store.listItems({ orderBy: "updated_at", limit: 3 });
        expect(byUpdated.map((x) => x.metadata.updated_at)).toEqual([
          "2025-02-01T00:00:00.000Z",
          "2025-02-02T00:00:00.000Z",
          "2025-02-03T00:00:00.000Z",
        ]);
        const odd = await store.listItems({ filter: { user_id: "odd" }, limit: 100 });
        expect(odd).toHaveLength(12);
        expect(odd.every((x) => x.metadata.user_id === "odd")).toBe(true);
        expect(await store.listItems({ limit: 0 })).toEqual([]);
      });
    });

    describe("vector search", () => {
      it("ranks nearest first with cosine similarity scores, and respects k", async () => {
        const angles = [0, 0.3, 0.6, 1.0, 1.5, 2.5, Math.PI];
        await store.addItems(angles.map((a, i) => stored(`v${i}`, `vector ${i}`, {}, angled(a))));
        await store.addItems([stored("novec", "no vector here")]);
        const q = angled(0.05);
        const hits = await store.vectorSearch(q, { k: 4 });
        expect(ids(hits)).toEqual(["v0", "v1", "v2", "v3"]);
        for (const [i, h] of hits.entries())
          expect(h.score).toBeCloseTo(cosine(q, angled(angles[i] as number)), 5);
        const all = await store.vectorSearch(q, { k: 100 });
        expect(all).toHaveLength(angles.length);
        expect(all.at(-1)?.id).toBe("v6");
        expect(all.at(-1)?.score).toBeCloseTo(-cosine(q, angled(0)), 5);
        for (let i = 1; i < all.length; i++)
          expect(all[i - 1]?.score).toBeGreaterThanOrEqual(all[i]?.score as number);
        // Non-normalised vectors: cosine ignores length.
        const scaled = angled(0.3).map((x) => x * 40);
        expect((await store.vectorSearch(scaled, { k: 1 }))[0]?.id).toBe("v1");
      });

      it("returns nothing from a store without vectors", async () => {
        await store.addItems([stored("a", "text only")]);
        expect(await store.vectorSearch(angled(0), { k: 3 })).toEqual([]);
      });

      it("respects filters, including selective ones far from the query", async () => {
        const rand = rng(7);
        const batch: StoredItem[] = [];
        for (let i = 0; i < 300; i++) {
          // Near the query: status/user mixes. The three "needle" items are the farthest of all.
          const needle = i < 3;
          const angle = needle ? Math.PI - i * 0.01 : rand() * 1.5;
          batch.push(
            stored(
              `n${i}`,
              `item ${i}`,
              {
                user_id: i % 3 === 0 ? "u1" : "u2",
                status: i % 4 === 0 ? "archived" : "activated",
                tags: needle ? ["needle"] : ["hay"],
                rank: i,
              },
              angled(angle),
            ),
          );
        }
        await store.addItems(batch);
        const q = angled(0);
        const needles = await store.vectorSearch(q, { k: 3, filter: { tags: { contains: "needle" } } });
        expect(sorted(ids(needles))).toEqual(["n0", "n1", "n2"]);
        expect(ids(needles)).toEqual(["n2", "n1", "n0"]); // nearest first among them
        const u1 = await store.vectorSearch(q, { k: 10, filter: { user_id: "u1", status: "activated" } });
        expect(u1).toHaveLength(10);
        const items = await store.getItems(ids(u1));
        expect(items.every((x) => x.metadata.user_id === "u1" && x.metadata.status === "activated")).toBe(
          true,
        );
        // Exactly the 10 best among the matching items.
        const allMatching = await store.vectorSearch(q, {
          k: 300,
          filter: { user_id: "u1", status: "activated" },
        });
        expect(ids(u1)).toEqual(ids(allMatching).slice(0, 10));
        const mixed = await store.vectorSearch(q, {
          k: 5,
          filter: { or: [{ rank: { lt: 2 } }, { rank: { gte: 298 } }] },
        });
        expect(sorted(ids(mixed))).toEqual(["n0", "n1", "n298", "n299"]);
        expect(await store.vectorSearch(q, { k: 5, filter: { user_id: "nobody" } })).toEqual([]);
      });

      it("rejects a query of the wrong dimension with StorageError", async () => {
        await store.addItems([stored("a", "x", {}, angled(0))]);
        const err = await rejection(store.vectorSearch(new Float32Array(DIM + 3).fill(1), { k: 1 }));
        expect(err.code).toBe("storage");
      });

      it("fixes the dimension with the first vector; a mismatch is a StorageError and writes nothing", async () => {
        await store.addItems([stored("a", "first", {}, angled(0))]);
        expect(store.dimensions).toBe(DIM);
        const err = await rejection(
          store.addItems([
            stored("b", "fits", {}, angled(1)),
            stored("c", "too short", {}, new Float32Array(DIM - 2).fill(0.5)),
          ]),
        );
        expect(err.code).toBe("storage");
        expect(err.hint).toMatch(/embed/i);
        expect(await store.count()).toBe(1);
        const err2 = await rejection(
          store.updateItem("a", mem("a", "first"), new Float32Array(DIM * 2).fill(1)),
        );
        expect(err2.code).toBe("storage");
        expect(Array.from((await store.getEmbedding("a")) ?? [])).toEqual(Array.from(angled(0)));
      });

      it("rejects a bad k with InvalidInputError", async () => {
        await store.addItems([stored("a", "x", {}, angled(0))]);
        for (const k of [0, -1, 1.5, Number.NaN]) {
          expect((await rejection(store.vectorSearch(angled(0), { k }))).code).toBe("invalid_input");
          expect((await rejection(store.keywordSearch("x", { k }))).code).toBe("invalid_input");
        }
      });
    });

    describe("keyword search", () => {
      it("ranks with BM25: the rare term wins, scores are positive and descending, k is respected", async () => {
        const batch: StoredItem[] = [];
        for (let i = 0; i < 20; i++) batch.push(stored(`c${i}`, `the apple orchard report number ${i}`));
        batch.push(stored("rare", "an apple fell on the zeppelin"));
        batch.push(stored("unrelated", "nothing to see here"));
        await store.addItems(batch);
        const hits = await store.keywordSearch("zeppelin apple", { k: 5 });
        expect(hits).toHaveLength(5);
        expect(hits[0]?.id).toBe("rare");
        for (const h of hits) expect(h.score).toBeGreaterThan(0);
        for (let i = 1; i < hits.length; i++)
          expect(hits[i - 1]?.score).toBeGreaterThanOrEqual(hits[i]?.score as number);
        expect(ids(await store.keywordSearch("ZEPPELIN", { k: 5 }))).toEqual(["rare"]);
        expect(await store.keywordSearch("xylophone", { k: 5 })).toEqual([]);
        expect(ids(await store.keywordSearch("apple", { k: 100 }))).not.toContain("unrelated");
      });

      it("searches key and tags too", async () => {
        await store.addItems([
          stored("k", "she enjoys it every morning", { key: "espresso habit" }),
          stored("t", "bought new shoes", { tags: ["marathon", "running"] }),
          stored("n", "nothing relevant"),
        ]);
        expect(ids(await store.keywordSearch("espresso", { k: 5 }))).toEqual(["k"]);
        expect(ids(await store.keywordSearch("marathon", { k: 5 }))).toEqual(["t"]);
      });

      it("treats the query as data: FTS syntax characters never throw", async () => {
        await store.addItems([
          stored("tea", "green tea AND coffee near the door", { tags: ["drink"] }),
          stored("other", "a quiet evening"),
        ]);
        const queries = [
          '"',
          '"unbalanced',
          "*",
          "tea*",
          "AND",
          "OR NOT",
          "NEAR(",
          "NEAR(tea coffee",
          "-tea",
          "tea -coffee",
          "tags:tea",
          "memory:tea",
          "^tea",
          "(",
          ")",
          "{tea}",
          "'",
          "\\",
          "tea AND",
          "tea OR",
          "a\u0000b",
          'tea"; DROP TABLE items; --',
          "'); DELETE FROM items; --",
          "+tea",
          "tea:*",
          '"tea" "coffee"',
        ];
        for (const q of queries) {
          const hits = await store.keywordSearch(q, { k: 5 });
          expect(Array.isArray(hits), q).toBe(true);
          expect(
            hits.every((h) => h.id === "tea" || h.id === "other"),
            q,
          ).toBe(true);
        }
        expect(ids(await store.keywordSearch("tea AND", { k: 5 }))).toEqual(["tea"]);
        expect(ids(await store.keywordSearch("NEAR(tea", { k: 5 }))).toEqual(["tea"]);
        expect(ids(await store.keywordSearch("-tea", { k: 5 }))).toEqual(["tea"]);
        expect(await store.count()).toBe(2);
        // Nothing to search for: an empty result or a clear InvalidInputError, never an SQL error.
        for (const q of ["", "   ", "!!! ??? ...", '"" ** --']) {
          try {
            expect(await store.keywordSearch(q, { k: 5 })).toEqual([]);
          } catch (error) {
            expect(MemosError.isInstance(error) && error.code).toBe("invalid_input");
          }
        }
      });

      it("respects filters", async () => {
        await store.addItems([
          stored("a", "budget meeting notes", { user_id: "u1" }),
          stored("b", "budget meeting agenda", { user_id: "u2" }),
          stored("c", "budget", { user_id: "u2", status: "archived" }),
        ]);
        expect(ids(await store.keywordSearch("budget", { k: 5, filter: { user_id: "u1" } }))).toEqual(["a"]);
        expect(await store.keywordSearch("budget", { k: 5, filter: { user_id: "nobody" } })).toEqual([]);
        expect(
          sorted(ids(await store.keywordSearch("budget", { k: 5, filter: { status: "activated" } }))),
        ).toEqual(["a", "b"]);
      });

      it("finds the few filtered matches that rank below hundreds of others", async () => {
        const batch: StoredItem[] = [];
        for (let i = 0; i < 300; i++)
          batch.push(stored(`d${i}`, `budget budget review ${i}`, { user_id: "many" }));
        // Longer documents with one mention rank lowest for "budget".
        batch.push(
          stored("r1", `budget ${"filler words here ".repeat(20)}`, { user_id: "rare", tags: ["x"] }),
        );
        batch.push(
          stored("r2", `budget ${"more filler text ".repeat(25)}`, { user_id: "rare", tags: ["x"] }),
        );
        await store.addItems(batch);
        const unfiltered = await store.keywordSearch("budget", { k: 400 });
        expect(unfiltered).toHaveLength(302);
        expect(sorted(ids(unfiltered.slice(-2)))).toEqual(["r1", "r2"]);
        expect(ids(await store.keywordSearch("budget", { k: 5, filter: { user_id: "rare" } }))).toEqual([
          "r1",
          "r2",
        ]);
        expect(
          ids(await store.keywordSearch("budget", { k: 5, filter: { tags: { contains: "x" } } })),
        ).toEqual(["r1", "r2"]);
      });
    });

    describe("filter DSL", () => {
      const rand = rng(42);
      const corpusItems = FILTER_CORPUS.map((x) => ({
        item: TextualMemoryItem.parse(x),
        embedding: randomVector(rand),
      }));

      async function loadCorpus() {
        await store.addItems(corpusItems);
        return store.getItems(FILTER_CORPUS.map((x) => x.id));
      }

      function expectedIds(items: TextualMemoryItem[], filter: MemoryFilter): string[] {
        const node = normalizeFilter(filter);
        return sorted(
          items.filter((x) => matchesFilter(x as Parameters<typeof matchesFilter>[0], node)).map((x) => x.id),
        );
      }

      it("agrees with matchesFilter for every filter in the table (list, count, vector and keyword search)", async () => {
        const items = await loadCorpus();
        expect(items).toHaveLength(FILTER_CORPUS.length);
        const q = randomVector(rng(3));
        for (const filter of FILTER_TABLE) {
          const label = JSON.stringify(filter);
          const expected = expectedIds(items, filter);
          expect(sorted(ids(await store.listItems({ filter }))), label).toEqual(expected);
          expect(await store.count(filter), label).toBe(expected.length);
          expect(sorted(ids(await store.vectorSearch(q, { k: 50, filter }))), label).toEqual(expected);
          expect(sorted(ids(await store.keywordSearch("common", { k: 50, filter }))), label).toEqual(
            expected,
          );
          // The normal form is accepted as well.
          expect(sorted(ids(await store.listItems({ filter: normalizeFilter(filter) }))), label).toEqual(
            expected,
          );
        }
      });

      it("agrees with matchesFilter on random filters", async () => {
        const items = await loadCorpus();
        const r = rng(1234);
        const q = randomVector(rng(5));
        for (let i = 0; i < 250; i++) {
          const filter = randomFilter(r);
          const label = JSON.stringify(filter);
          const expected = expectedIds(items, filter);
          expect(sorted(ids(await store.listItems({ filter }))), label).toEqual(expected);
          if (i % 5 === 0) {
            expect(sorted(ids(await store.vectorSearch(q, { k: 50, filter }))), label).toEqual(expected);
            expect(await store.count(filter), label).toBe(expected.length);
          }
        }
      });

      it("deleteWhere removes exactly what matches", async () => {
        const items = await loadCorpus();
        const filter: MemoryFilter = { or: [{ tags: { contains: "food" } }, { priority: { gt: 5 } }] };
        const expected = expectedIds(items, filter);
        expect(await store.deleteWhere(filter)).toBe(expected.length);
        expect(sorted(ids(await store.listItems()))).toEqual(
          sorted(FILTER_CORPUS.map((x) => x.id).filter((id) => !expected.includes(id))),
        );
      });

      it("rejects malformed filters with InvalidInputError", async () => {
        await loadCorpus();
        const bad = [
          { "bad field": 1 },
          { user_id: { regex: "u.*" } },
          { user_id: [1, 2] },
          { or: { user_id: "u1" } },
          { "$.user_id": "u1" },
        ];
        for (const filter of bad) {
          const err = await rejection(store.listItems({ filter: filter as unknown as MemoryFilter }));
          expect(err.code, JSON.stringify(filter)).toBe("invalid_input");
        }
        expect(await store.count()).toBe(FILTER_CORPUS.length);
      });
    });

    describe("edges", () => {
      async function graph() {
        await store.addItems(["a", "b", "c", "d", "e", "f"].map((id) => stored(id, `node ${id}`)));
        await store.addEdges([
          { source: "a", target: "b", type: "RELATE_TO", weight: 0.5 },
          { source: "c", target: "a", type: "CAUSE" },
          { source: "a", target: "d", type: "PARENT" },
          { source: "b", target: "e", type: "FOLLOWS" },
          { source: "e", target: "f", type: "RELATE_TO" },
        ] as MemoryEdge[]);
      }

      it("returns neighbors and edges by direction and type, keeping edge fields", async () => {
        await graph();
        expect(sorted(await store.neighbors("a", { direction: "out" }))).toEqual(["b", "d"]);
        expect(await store.neighbors("a", { direction: "in" })).toEqual(["c"]);
        expect(sorted(await store.neighbors("a"))).toEqual(["b", "c", "d"]);
        expect(sorted(await store.neighbors("a", { direction: "both" }))).toEqual(["b", "c", "d"]);
        expect(await store.neighbors("a", { types: ["CAUSE"] })).toEqual(["c"]);
        expect(sorted(await store.neighbors("a", { direction: "out", types: ["PARENT", "CAUSE"] }))).toEqual([
          "d",
        ]);
        expect(await store.neighbors("f", { direction: "out" })).toEqual([]);
        expect(await store.neighbors("nope")).toEqual([]);
        const out = await store.getEdges("a", { direction: "out", types: ["RELATE_TO"] });
        expect(out).toEqual([{ source: "a", target: "b", type: "RELATE_TO", weight: 0.5 }]);
        expect((await store.getEdges("a")).map(edgeKey).sort()).toEqual([
          "a>PARENT>d",
          "a>RELATE_TO>b",
          "c>CAUSE>a",
        ]);
      });

      it("adds an edge once, removes edges and reports how many", async () => {
        await graph();
        await store.addEdges([{ source: "a", target: "b", type: "RELATE_TO" }]);
        expect((await store.getEdges("a", { direction: "out", types: ["RELATE_TO"] })).length).toBe(1);
        await store.addEdges([{ source: "a", target: "b", type: "CONFLICT" }]);
        expect((await store.getEdges("a", { direction: "out" })).length).toBe(3);
        expect(
          await store.removeEdges([
            { source: "a", target: "b", type: "CONFLICT" },
            { source: "a", target: "b", type: "MERGED_TO" },
            { source: "b", target: "e", type: "FOLLOWS" },
          ]),
        ).toBe(2);
        expect(await store.neighbors("e", { direction: "in" })).toEqual([]);
      });

      it("refuses edges to missing memories and writes none of the batch", async () => {
        await graph();
        await rejection(
          store.addEdges([
            { source: "a", target: "f", type: "INFERS" },
            { source: "a", target: "ghost", type: "RELATE_TO" },
          ]),
        );
        expect(await store.neighbors("f", { direction: "in" })).toEqual(["e"]);
        const err = await rejection(
          store.addEdges([{ source: "a", target: "b", type: "NOT_A_TYPE" } as unknown as MemoryEdge]),
        );
        expect(err.code).toBe("invalid_input");
      });

      it("returns subgraphs by depth (both directions), with the edges among their nodes", async () => {
        await graph();
        const d0 = await store.subgraph(["a"], 0);
        expect(ids(d0.nodes)).toEqual(["a"]);
        expect(d0.edges).toEqual([]);
        const d1 = await store.subgraph(["a"], 1);
        expect(sorted(ids(d1.nodes))).toEqual(["a", "b", "c", "d"]);
        expect(d1.edges.map(edgeKey).sort()).toEqual(["a>PARENT>d", "a>RELATE_TO>b", "c>CAUSE>a"]);
        const d2 = await store.subgraph(["a"], 2);
        expect(sorted(ids(d2.nodes))).toEqual(["a", "b", "c", "d", "e"]);
        expect(d2.edges.map(edgeKey).sort()).toEqual([
          "a>PARENT>d",
          "a>RELATE_TO>b",
          "b>FOLLOWS>e",
          "c>CAUSE>a",
        ]);
        const d9 = await store.subgraph(["a", "missing"], 9);
        expect(sorted(ids(d9.nodes))).toEqual(["a", "b", "c", "d", "e", "f"]);
        expect(d9.edges).toHaveLength(5);
        expect(d9.nodes.find((n) => n.id === "a")).toEqual(await store.getItem("a"));
        const typed = await store.subgraph(["a"], 3, { types: ["RELATE_TO", "FOLLOWS"] });
        expect(sorted(ids(typed.nodes))).toEqual(["a", "b", "e", "f"]);
        expect(typed.edges.map(edgeKey).sort()).toEqual(["a>RELATE_TO>b", "b>FOLLOWS>e", "e>RELATE_TO>f"]);
        const two = await store.subgraph(["c", "f"], 1);
        expect(sorted(ids(two.nodes))).toEqual(["a", "c", "e", "f"]);
        expect(two.edges.map(edgeKey).sort()).toEqual(["c>CAUSE>a", "e>RELATE_TO>f"]);
        expect(await store.subgraph([], 2)).toEqual({ nodes: [], edges: [] });
      });

      it("drops edges when either end is deleted", async () => {
        await graph();
        await store.deleteItems(["b"]);
        expect(sorted(await store.neighbors("a"))).toEqual(["c", "d"]);
        expect(await store.neighbors("e")).toEqual(["f"]);
        const g = await store.subgraph(["a"], 5);
        expect(sorted(ids(g.nodes))).toEqual(["a", "c", "d"]);
        await store.deleteWhere({ memory: "node d" });
        expect(await store.neighbors("a")).toEqual(["c"]);
        expect((await store.exportAll()).total_edges).toBe(2);
      });
    });

    describe("export and import", () => {
      async function seed() {
        const rand = rng(99);
        const items = ["p", "q", "r", "s"].map((id, i) =>
          stored(
            id,
            `memory ${id} about topic${i}`,
            { user_id: "u", tags: [`t${i}`], extra_field: { i } },
            randomVector(rand),
          ),
        );
        items.push(stored("novec", "memory without vector", { user_id: "u" }));
        await store.addItems(items);
        await store.addEdges([
          { source: "p", target: "q", type: "PARENT" },
          { source: "q", target: "r", type: "RELATE_TO", confidence: 0.9 },
          { source: "s", target: "p", type: "MERGED_TO" },
        ] as MemoryEdge[]);
        return items;
      }

      it("exports the MemOS textual_memory.json shape with embeddings in metadata", async () => {
        await seed();
        const data = await store.exportAll();
        expect(TextualMemoryExport.safeParse(data).success).toBe(true);
        expect(data.total_nodes).toBe(5);
        expect(data.total_edges).toBe(3);
        expect(data.nodes).toHaveLength(5);
        expect(data.edges).toHaveLength(3);
        const p = data.nodes.find((n) => n.id === "p");
        expect(Array.isArray(p?.metadata.embedding)).toBe(true);
        expect(p?.metadata.embedding).toHaveLength(DIM);
        expect(Array.from((await store.getEmbedding("p")) ?? [])).toEqual(p?.metadata.embedding);
        expect(data.nodes.find((n) => n.id === "novec")?.metadata.embedding ?? null).toBeNull();
        expect(data.edges.find((e) => e.source === "q")).toEqual({
          source: "q",
          target: "r",
          type: "RELATE_TO",
          confidence: 0.9,
        });
      });

      it("imports an export into a fresh store with nodes, edges and vectors intact", async () => {
        await seed();
        const data = JSON.parse(JSON.stringify(await store.exportAll())) as TextualMemoryExport;
        const fresh = await another();
        await fresh.importAll(data);
        expect(sorted(ids(await fresh.listItems()))).toEqual(sorted(ids(await store.listItems())));
        for (const id of ["p", "q", "r", "s", "novec"]) {
          expect(await fresh.getItem(id)).toEqual(await store.getItem(id));
          expect(await fresh.getEmbedding(id)).toEqual(await store.getEmbedding(id));
        }
        expect((await fresh.exportAll()).edges.map(edgeKey).sort()).toEqual(data.edges.map(edgeKey).sort());
        const q = randomVector(rng(11));
        expect(await fresh.vectorSearch(q, { k: 3 })).toEqual(await store.vectorSearch(q, { k: 3 }));
        expect(ids(await fresh.keywordSearch("topic2", { k: 3 }))).toEqual(["r"]);
        expect(fresh.dimensions).toBe(DIM);
      });

      it("merges or replaces", async () => {
        await seed();
        const data = await store.exportAll();
        const target = await another();
        await target.addItems([
          stored("local", "only here", {}, randomVector(rng(5))),
          stored("p", "stale p"),
        ]);
        await target.importAll(data, { mode: "merge" });
        expect(await target.count()).toBe(6);
        expect((await target.getItem("p"))?.memory).toBe("memory p about topic0");
        await target.importAll(data, { mode: "replace" });
        expect(await target.count()).toBe(5);
        expect(await target.getItem("local")).toBeNull();
        expect(await target.vectorSearch(randomVector(rng(5)), { k: 10 })).toHaveLength(4);
      });

      it("keeps memories whose embedding has another dimension, without a vector", async () => {
        await store.addItems([stored("base", "fixes the dimension", {}, angled(0))]);
        await store.importAll({
          nodes: [
            { id: "fits", memory: "right size", metadata: { embedding: Array.from(angled(1)) } },
            { id: "other", memory: "wrong size", metadata: { embedding: [0.1, 0.2, 0.3] } },
          ],
          edges: [{ source: "fits", target: "other", type: "RELATE_TO" }],
        } as unknown as TextualMemoryExport);
        expect(await store.getEmbedding("other")).toBeNull();
        expect((await store.getItem("other"))?.memory).toBe("wrong size");
        expect(Array.from((await store.getEmbedding("fits")) ?? [])).toEqual(Array.from(angled(1)));
        expect(await store.neighbors("fits")).toEqual(["other"]);
      });

      it("rejects invalid import data with InvalidInputError and imports nothing", async () => {
        const err = await rejection(
          store.importAll({
            nodes: [
              { id: "ok", memory: "fine", metadata: {} },
              { id: "bad", metadata: {} },
            ],
          } as unknown as TextualMemoryExport),
        );
        expect(err.code).toBe("invalid_input");
        const err2 = await rejection(
          store.importAll({
            nodes: [{ id: "ok", memory: "fine", metadata: {} }],
            edges: [{ source: "ok", target: "ghost", type: "RELATE_TO" }],
          } as unknown as TextualMemoryExport),
        );
        expect(err2.code).toBe("invalid_input");
        expect(await store.count()).toBe(0);
      });
    });

    describe("transactions", () => {
      it("commits all writes together and returns fn's value", async () => {
        const result = await store.transaction(async (tx) => {
          await tx.addItems([stored("a", "alpha", {}, angled(0)), stored("b", "beta", {}, angled(1))]);
          await tx.addEdges([{ source: "a", target: "b", type: "RELATE_TO" }]);
          await tx.updateItem("a", mem("a", "alpha two"));
          return "done";
        });
        expect(result).toBe("done");
        expect(await store.count()).toBe(2);
        expect(await store.neighbors("a")).toEqual(["b"]);
        expect((await store.getItem("a"))?.memory).toBe("alpha two");
      });

      it("rolls back everything when fn throws, and rethrows its error", async () => {
        await store.addItems([stored("keep", "kept memory", {}, angled(0))]);
        const boom = new Error("boom");
        await expect(
          store.transaction(async (tx) => {
            await tx.addItems([stored("a", "walrus", {}, angled(1)), stored("b", "beta", {}, angled(2))]);
            await tx.addEdges([{ source: "a", target: "keep", type: "RELATE_TO" }]);
            await tx.updateItem("keep", mem("keep", "changed memory"));
            await tx.deleteItems(["keep"]);
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(ids(await store.listItems())).toEqual(["keep"]);
        expect((await store.getItem("keep"))?.memory).toBe("kept memory");
        expect(await store.keywordSearch("walrus", { k: 5 })).toEqual([]);
        expect(ids(await store.vectorSearch(angled(1), { k: 5 }))).toEqual(["keep"]);
        expect(await store.getEdges("keep")).toEqual([]);
      });

      it("rolls back a transaction whose first vector fixed the dimension", async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.addItems([stored("a", "alpha", {}, new Float32Array(DIM).fill(1))]);
            throw new Error("abort");
          }),
        ).rejects.toThrow("abort");
        expect(await store.count()).toBe(0);
        await store.addItems([stored("b", "beta", {}, angled(0))]);
        expect(ids(await store.vectorSearch(angled(0), { k: 2 }))).toEqual(["b"]);
      });

      it("never shows other callers a half-done transaction", async () => {
        let release!: () => void;
        const gate = new Promise<void>((r) => {
          release = r;
        });
        let firstWritten!: () => void;
        const afterFirst = new Promise<void>((r) => {
          firstWritten = r;
        });
        const tx = store.transaction(async (t) => {
          await t.addItems([stored("a", "first")]);
          firstWritten();
          await gate;
          await t.addItems([stored("b", "second")]);
        });
        await afterFirst;
        const seen = store.count();
        release();
        await tx;
        // Either the caller waited for the commit (2) or read the state before it (0); never 1.
        expect([0, 2]).toContain(await seen);
        expect(await store.count()).toBe(2);
      });

      it("nested transactions commit with the outer one and roll back with it", async () => {
        await store.transaction(async (tx) => {
          await tx.addItems([stored("outer", "outer")]);
          await tx.transaction(async (inner) => {
            await inner.addItems([stored("inner", "inner")]);
          });
        });
        expect(sorted(ids(await store.listItems()))).toEqual(["inner", "outer"]);
        await expect(
          store.transaction(async (tx) => {
            await tx.transaction(async (inner) => {
              await inner.addItems([stored("inner2", "inner two")]);
            });
            throw new Error("outer fails");
          }),
        ).rejects.toThrow("outer fails");
        expect(await store.getItem("inner2")).toBeNull();
      });
    });
  });
}
