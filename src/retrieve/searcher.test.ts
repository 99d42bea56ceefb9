import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors/config-error.js";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import type { Embedder } from "../core/interfaces/embedder.js";
import type { Reranker } from "../core/interfaces/reranker.js";
import {
  type MemoryEdge,
  TextualMemoryItem,
  type TextualMemoryMetadataInput,
} from "../core/schema/memory.js";
import { createGloveEmbedder } from "../providers/glove/index.js";
import { createSqliteMemoryStore, type SqliteMemoryStore } from "../storage/sqlite/index.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";
import { Searcher } from "./searcher.js";

let embedder: Embedder;
let store: SqliteMemoryStore;

beforeAll(async () => {
  embedder = await createGloveEmbedder();
});
beforeEach(async () => {
  store = await createSqliteMemoryStore({ path: ":memory:" });
});
afterEach(async () => {
  await store.close();
});

/** Store items (with GloVe vectors); ids are the given ones, user "alice" unless said otherwise. */
async function add(
  ...inputs: { id: string; memory: string; metadata?: TextualMemoryMetadataInput }[]
): Promise<TextualMemoryItem[]> {
  const items = inputs.map((i) =>
    TextualMemoryItem.parse({ ...i, metadata: { user_id: "alice", ...i.metadata } }),
  );
  const vectors = await embedder.doEmbed(items.map((i) => i.memory));
  await store.addItems(items.map((item, i) => ({ item, embedding: vectors[i] })));
  return items;
}
const edge = (source: string, target: string, type: MemoryEdge["type"] = "RELATE_TO"): MemoryEdge => ({
  source,
  target,
  type,
});
const ids = (r: { hits: { item: { id: string } }[] }) => r.hits.map((h) => h.item.id);
const hit = (r: { hits: { item: { id: string }; paths: string[]; score: number }[] }, id: string) =>
  r.hits.find((h) => h.item.id === id);

const DISTRACTORS = [
  "Lucas painted the garden shed green last weekend.",
  "Zoe read about ancient Rome during the holidays.",
  "Omar repaired a vintage camera after work.",
  "Ines planned a trip to the science museum.",
  "Kofi photographed the farmers market in May.",
  "Lena bought a chess set for her nephew.",
  "Ravi talked about the marathon route with friends.",
  "Chen cooked a vegetable curry for dinner.",
];
async function addDistractors(): Promise<void> {
  await add(...DISTRACTORS.map((memory, i) => ({ id: `d${i}`, memory })));
}

describe("Searcher recall paths", () => {
  it("finds a keyword-only match through BM25 (a code the embedder has no vector for)", async () => {
    await addDistractors();
    await add({ id: "router", memory: "The wifi router serial is QZX4417." });
    // Narrow candidate lists: the vector path alone would not reach the router memory.
    const searcher = new Searcher({ store, embedder, candidateFactor: 1, minCandidates: 2 });
    const r = await searcher.search("QZX4417 serial", { topK: 2 });
    expect(ids(r)[0]).toBe("router");
    expect(hit(r, "router")?.paths).toContain("keyword");
  });

  it("finds a paraphrase through the vector path", async () => {
    await addDistractors();
    await add({ id: "puppy", memory: "Caroline adopted a puppy last spring." });
    // Without feedback: its expansion (words the best hits share) could reach the puppy by BM25.
    const searcher = new Searcher({ store, embedder, feedbackWeight: 0 });
    const r = await searcher.search("does she own a dog", { topK: 3, paths: ["vector", "keyword"] });
    expect(ids(r)[0]).toBe("puppy");
    // Vector found it; the keyword side may too, through "dog" → "puppy" (neighbour words).
    expect(hit(r, "puppy")?.paths).toContain("vector");
  });

  it("finds a 1-hop neighbour through a graph edge, and reports the graph path", async () => {
    await addDistractors();
    await add(
      { id: "flight", memory: "Maya booked flights to Lisbon for October." },
      { id: "hotel", memory: "The hotel has a rooftop pool overlooking the river." },
    );
    await store.addEdges([edge("flight", "hotel")]);
    const searcher = new Searcher({
      store,
      embedder,
      candidateFactor: 1,
      minCandidates: 2,
      pathWeights: { graph: 1 },
    });
    const r = await searcher.search("Maya flights Lisbon", { topK: 3, dedup: "no" });
    expect(ids(r)[0]).toBe("flight");
    expect(hit(r, "hotel")?.paths).toEqual(["graph"]);
    // CONFLICT / MERGED_TO edges lead to stale facts and are not followed.
    await add({ id: "old", memory: "Maya was going to fly to Madrid instead." });
    await store.addEdges([edge("old", "flight", "CONFLICT")]);
    const again = await searcher.search("Maya flights Lisbon", { topK: 5, dedup: "no" });
    expect(hit(again, "old")?.paths ?? []).not.toContain("graph");
    // The graph path alone still seeds from the vector search, which then stays out of the fusion.
    const graphOnly = await searcher.search("Maya flights Lisbon", { topK: 5, paths: ["graph"] });
    expect(ids(graphOnly)).toEqual(["hotel"]);
  });

  it("finds a working-memory item that is not in the store, scored by cosine", async () => {
    await addDistractors();
    const wm = TextualMemoryItem.parse({
      id: "wm1",
      memory: "The user is debugging a flaky CI pipeline right now.",
      metadata: { user_id: "alice", memory_type: "WorkingMemory" },
    });
    const searcher = new Searcher({ store, embedder, workingMemory: async () => [wm] });
    const r = await searcher.search("flaky CI pipeline", { topK: 3 });
    expect(ids(r)[0]).toBe("wm1");
    expect(hit(r, "wm1")?.paths).toEqual(["working"]);
  });

  it("a failing working-memory source degrades to the other paths with a warning", async () => {
    await addDistractors();
    const searcher = new Searcher({
      store,
      embedder,
      workingMemory: async () => {
        throw new Error("scheduler offline");
      },
    });
    const r = await searcher.search("Chen curry", { topK: 3 });
    expect(ids(r)[0]).toBe("d7");
    expect(r.warnings).toEqual([
      expect.stringMatching(/working memory could not be read \(scheduler offline\)/),
    ]);
  });

  it("stops when aborted", async () => {
    await addDistractors();
    const controller = new AbortController();
    controller.abort();
    await expect(
      new Searcher({ store, embedder }).search("Chen", { signal: controller.signal }),
    ).rejects.toThrow();
  });

  it("finds memories by key or tag in fast mode from the query's words, at no extra store query", async () => {
    await addDistractors();
    await add({
      id: "ramen",
      memory: "Loves spicy ramen with extra egg.",
      metadata: { key: "Ana favourite food", tags: ["food"] },
    });
    const searcher = new Searcher({ store, embedder });
    const r = await searcher.search("what is Ana favourite food", { topK: 3, paths: ["graph", "keyword"] });
    expect(ids(r)[0]).toBe("ramen");
    expect(hit(r, "ramen")?.paths).toContain("graph");
  });

  it("can look keys and tags up in the store in fast mode (fastKeyTagLookup: store)", async () => {
    await addDistractors();
    await add({
      id: "ramen",
      memory: "Loves spicy ramen with extra egg.",
      metadata: { key: "favourite food", tags: ["cuisine"] },
    });
    const searcher = new Searcher({ store, embedder, fastKeyTagLookup: "store" });
    const r = await searcher.search("cuisine", { topK: 3, paths: ["graph"] });
    expect(ids(r)).toEqual(["ramen"]);
  });

  it("runs the paths in parallel and reports per-stage timings", async () => {
    await addDistractors();
    const searcher = new Searcher({ store, embedder, workingMemory: async () => [] });
    const r = await searcher.search("Chen curry", { topK: 3 });
    for (const stage of [
      "embed",
      "vector",
      "keyword",
      "graph",
      "working",
      "fuse",
      "load",
      "dedup",
      "total",
    ]) {
      expect(Number.isFinite(r.timings[stage]), stage).toBe(true);
      expect(r.timings[stage], stage).toBeGreaterThanOrEqual(0);
    }
    // Stages are parts of the whole: none can take longer than the total.
    for (const [stage, ms] of Object.entries(r.timings)) {
      if (stage !== "total") expect(ms, stage).toBeLessThanOrEqual(r.timings.total ?? 0);
    }
    expect(r.warnings).toEqual([]);
  });
});

describe("Searcher fine mode", () => {
  const parse = {
    rephrased_query: "What food does Ana like most?",
    keys: ["favourite food"],
    tags: ["food"],
  };

  it("uses the parsed keys and tags and still finds fast-mode memories", async () => {
    await addDistractors();
    await add(
      // A fine-mode memory: found by its key, though the query shares no word with it.
      { id: "fine", memory: "Ana loves spicy ramen.", metadata: { key: "favourite food", tags: ["food"] } },
      // A fast-mode memory: a raw chat window, no key, no tags.
      {
        id: "fast",
        memory: "user: what should I cook for Ana tonight? assistant: maybe ramen",
        metadata: { tags: [] },
      },
    );
    const llm = createScriptedLanguageModel([{ match: "Query:", reply: parse }]);
    const searcher = new Searcher({ store, embedder, llm, candidateFactor: 1, minCandidates: 2 });
    const r = await searcher.search("what should I cook for Ana?", { mode: "fine", topK: 4, dedup: "no" });
    expect(llm.calls).toHaveLength(1);
    expect(r.query).toMatchObject({
      original: "what should I cook for Ana?",
      rephrased: parse.rephrased_query,
      keys: ["favourite food"],
      tags: ["food"],
    });
    expect(hit(r, "fine")?.paths).toContain("graph");
    expect(ids(r)).toContain("fast");
    // The same fast memory is what fast mode finds first.
    const fast = await searcher.search("what should I cook for Ana?", { topK: 4, dedup: "no" });
    expect(ids(fast)[0]).toBe("fast");
    expect(r.warnings).toEqual([]);
  });

  it("falls back to fast parsing with a warning when the LLM fails", async () => {
    await addDistractors();
    const broken = createScriptedLanguageModel([{ match: "Query:", reply: "I think you mean food?" }]);
    const searcher = new Searcher({ store, embedder, llm: broken });
    const r = await searcher.search("Chen curry dinner", { mode: "fine", topK: 3 });
    expect(broken.calls).toHaveLength(2); // first answer + repair turn
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/fine query parse failed.*fast mode/);
    expect(r.query).toEqual({ original: "Chen curry dinner" });
    expect(ids(r)[0]).toBe("d7");

    const unreachable = createScriptedLanguageModel([]); // every call fails with a ProviderError
    const r2 = await new Searcher({ store, embedder, llm: unreachable }).search("Chen curry dinner", {
      mode: "fine",
    });
    expect(r2.warnings[0]).toMatch(/no rule matches/);
    expect(ids(r2)[0]).toBe("d7");
  });

  it("rejects an extra field in the parse (closed schema) and then falls back", async () => {
    const llm = createScriptedLanguageModel([{ match: "Query:", reply: { ...parse, extra: 1 } }]);
    await addDistractors();
    const r = await new Searcher({ store, embedder, llm }).search("curry", { mode: "fine" });
    expect(r.warnings).toHaveLength(1);
  });

  it("needs an LLM", async () => {
    await expect(new Searcher({ store, embedder }).search("x", { mode: "fine" })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });
});

describe("Searcher dedup", () => {
  const near = [
    { id: "b1", memory: "Tom sold his old red bicycle to a neighbour on Monday." },
    { id: "b2", memory: "On Monday Tom sold his old red bicycle to a neighbour!" },
    { id: "c1", memory: "Tom bought a new violin at the music shop." },
  ];

  it("sim and mmr drop near-duplicate texts; no keeps them", async () => {
    await add(...near);
    const searcher = new Searcher({ store, embedder });
    const none = await searcher.search("Tom sold his bicycle", { dedup: "no" });
    expect(ids(none)).toEqual(expect.arrayContaining(["b1", "b2", "c1"]));
    for (const dedup of ["sim", "mmr"] as const) {
      const r = await searcher.search("Tom sold his bicycle", { dedup });
      const bikes = ids(r).filter((id) => id.startsWith("b"));
      expect(bikes, dedup).toHaveLength(1);
      expect(ids(r), dedup).toContain("c1");
    }
  });

  it("looks past the head of the fused list when dedup leaves fewer than topK", async () => {
    // 45 rephrasings of one fact (same words: cosine 1) fill the head of the fused list.
    await add(
      ...Array.from({ length: 45 }, (_, i) => ({
        id: `tea${i}`,
        memory: `Maya likes green tea${"!".repeat(i + 1)}`,
      })),
    );
    await add(
      { id: "o1", memory: "Maya likes black coffee." },
      { id: "o2", memory: "Maya likes cold milk." },
      { id: "o3", memory: "Maya likes green apples." },
    );
    const r = await new Searcher({ store, embedder }).search("Maya likes green tea", {
      topK: 4,
      dedup: "sim",
    });
    expect(ids(r).filter((id) => id.startsWith("tea"))).toHaveLength(1);
    expect(ids(r).sort()).toEqual(expect.arrayContaining(["o1", "o2", "o3"]));
  });

  it("merges identical texts and repeated ids always, even with dedup no", async () => {
    await add({ id: "x1", memory: "Zoe plays the cello." }, { id: "x2", memory: "  zoe plays the CELLO. " });
    // Working memory holds the stored item itself and a copy with its own id.
    const [stored] = await store.getItems(["x1"]);
    const copy = TextualMemoryItem.parse({
      id: "copy",
      memory: "Zoe plays the cello.",
      metadata: { user_id: "alice", memory_type: "WorkingMemory" },
    });
    const searcher = new Searcher({
      store,
      embedder,
      workingMemory: async () => [stored as TextualMemoryItem, copy],
    });
    const r = await searcher.search("Zoe cello", { dedup: "no" });
    expect(r.hits).toHaveLength(1);
    expect(r.hits[0]?.item.metadata.memory_type).toBe("LongTermMemory");
    expect(r.hits[0]?.paths).toEqual(expect.arrayContaining(["working", "vector", "keyword"]));
    expect(new Set(ids(r)).size).toBe(ids(r).length);
  });
});

describe("Searcher scoring and limits", () => {
  it("relativity threshold drops weak hits", async () => {
    await addDistractors();
    const searcher = new Searcher({ store, embedder });
    const all = await searcher.search("Chen cooked curry", { topK: 10, dedup: "no" });
    expect(all.hits.length).toBe(DISTRACTORS.length);
    const top = all.hits[0]?.score ?? 0;
    expect(top).toBeGreaterThan(0);
    expect(top).toBeLessThanOrEqual(1);
    const strong = await searcher.search("Chen cooked curry", {
      topK: 10,
      dedup: "no",
      threshold: top * 0.9,
    });
    expect(ids(strong)).toEqual(["d7"]);
  });

  it("limits hits per memory type", async () => {
    await add(
      { id: "u1", memory: "Alice is allergic to peanuts.", metadata: { memory_type: "UserMemory" } },
      { id: "u2", memory: "Alice is allergic to cats.", metadata: { memory_type: "UserMemory" } },
      { id: "l1", memory: "Alice sneezed at the cat cafe.", metadata: { memory_type: "LongTermMemory" } },
    );
    const searcher = new Searcher({ store, embedder });
    const r = await searcher.search("Alice allergic", { dedup: "no", perTypeTopK: { UserMemory: 1 } });
    expect(r.hits.filter((h) => h.item.metadata.memory_type === "UserMemory")).toHaveLength(1);
    expect(ids(r)).toContain("l1");
    const onlyUser = await searcher.search("Alice allergic", { dedup: "no", memoryTypes: ["UserMemory"] });
    expect(ids(onlyUser).sort()).toEqual(["u1", "u2"]);
  });

  it("with a reference time leaves out facts not yet valid or already invalidated", async () => {
    await add(
      {
        id: "past",
        memory: "Maya lived in Porto.",
        metadata: { valid_at: "2020-01-01T00:00:00Z", invalid_at: "2023-06-01T00:00:00Z" },
      },
      { id: "now", memory: "Maya lives in Lisbon.", metadata: { valid_at: "2023-06-01T00:00:00Z" } },
      { id: "future", memory: "Maya will live in Berlin.", metadata: { valid_at: "2026-01-01T00:00:00Z" } },
    );
    const searcher = new Searcher({ store, embedder });
    const r = await searcher.search("where does Maya live", {
      referenceTime: "2024-01-01T00:00:00Z",
      dedup: "no",
    });
    expect(ids(r)).toEqual(["now"]);
    const then = await searcher.search("where does Maya live", {
      referenceTime: new Date("2021-01-01T00:00:00Z"),
      dedup: "no",
    });
    expect(ids(then)).toEqual(["past"]);
    const all = await searcher.search("where does Maya live", { dedup: "no" });
    expect(ids(all).sort()).toEqual(["future", "now", "past"]);
    await expect(searcher.search("x", { referenceTime: "not a date" })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it("a reranker reorders the candidates", async () => {
    await addDistractors();
    const zebra: Reranker = {
      specificationVersion: "v1",
      provider: "test",
      modelId: "prefers-omar",
      doRerank: async (_q, docs) => docs.map((d) => (d.includes("Omar") ? 10 : 0)),
    };
    const searcher = new Searcher({ store, embedder, reranker: zebra });
    const plain = await searcher.search("Chen cooked curry", { rerank: false, dedup: "no" });
    expect(ids(plain)[0]).toBe("d7");
    const reranked = await searcher.search("Chen cooked curry", { dedup: "no" });
    expect(ids(reranked)[0]).toBe("d2");
    // The rerank stage ran (it has a timing) and the plain search skipped it (none).
    expect(reranked.timings.rerank).toBeTypeOf("number");
    expect(plain.timings.rerank).toBeUndefined();
  });

  it("a failing reranker degrades to fused order with a warning", async () => {
    await addDistractors();
    const failing: Reranker = {
      specificationVersion: "v1",
      provider: "test",
      modelId: "down",
      doRerank: async () => {
        throw new Error("connection refused");
      },
    };
    const r = await new Searcher({ store, embedder, reranker: failing }).search("Chen cooked curry");
    expect(ids(r)[0]).toBe("d7");
    expect(r.warnings[0]).toMatch(/rerank failed \(connection refused\)/);
  });
});

describe("Searcher filters", () => {
  it("respects the filter DSL on every path (vector, keyword, graph key/tag and edges, working)", async () => {
    await add(
      { id: "a1", memory: "Alice keeps bees in her garden.", metadata: { key: "bees", tags: ["bees"] } },
      {
        id: "b1",
        memory: "Bob keeps bees on his roof.",
        metadata: { user_id: "bob", key: "bees", tags: ["bees"] },
      },
      { id: "b2", memory: "Bob sells honey at the market.", metadata: { user_id: "bob" } },
    );
    await store.addEdges([edge("a1", "b2")]); // an edge across users must not leak b2
    const bobWm = TextualMemoryItem.parse({
      id: "bwm",
      memory: "Bob is thinking about bees.",
      metadata: { user_id: "bob", memory_type: "WorkingMemory" },
    });
    const llm = createScriptedLanguageModel([
      { match: "Query:", reply: { rephrased_query: "Who keeps bees?", keys: ["bees"], tags: ["bees"] } },
    ]);
    const searcher = new Searcher({ store, embedder, llm, workingMemory: async () => [bobWm] });
    for (const mode of ["fast", "fine"] as const) {
      const r = await searcher.search("who keeps bees", { mode, filter: { user_id: "alice" }, dedup: "no" });
      expect(ids(r), mode).toEqual(["a1"]);
    }
    const bob = await searcher.search("who keeps bees", { filter: { user_id: "bob" }, dedup: "no" });
    expect(ids(bob).sort()).toEqual(["b1", "b2", "bwm"]);
  });

  it("returns only activated memories unless includeInactive, and skips stored WorkingMemory copies", async () => {
    await add(
      { id: "live", memory: "Kofi grows tomatoes." },
      { id: "gone", memory: "Kofi grew potatoes.", metadata: { status: "archived" } },
      {
        id: "wmcopy",
        memory: "Kofi grows tomatoes on the balcony.",
        metadata: { memory_type: "WorkingMemory" },
      },
    );
    const searcher = new Searcher({ store, embedder });
    expect(ids(await searcher.search("Kofi grows", { dedup: "no" }))).toEqual(["live"]);
    const inactive = await searcher.search("Kofi grows", { dedup: "no", includeInactive: true });
    expect(ids(inactive).sort()).toEqual(["gone", "live"]);
    const withWm = await searcher.search("Kofi grows", {
      dedup: "no",
      memoryTypes: ["LongTermMemory", "WorkingMemory"],
    });
    expect(ids(withWm).sort()).toEqual(["live", "wmcopy"]);
  });
});

describe("Searcher input checks", () => {
  it("rejects bad queries and options with InvalidInputError", async () => {
    const searcher = new Searcher({ store, embedder });
    for (const bad of [
      () => searcher.search("  "),
      () => searcher.search("x", { topK: 0 }),
      () => searcher.search("x", { dedup: "fuzzy" as never }),
      () => searcher.search("x", { mmrLambda: 2 }),
      () => searcher.search("x", { paths: [] }),
      () => searcher.search("x", { paths: ["web" as never] }),
      () => searcher.search("x", { perTypeTopK: { UserMemory: -1 } }),
      () => searcher.search("x", { filter: { "bad field": 1 } }),
    ]) {
      await expect(bad()).rejects.toBeInstanceOf(InvalidInputError);
    }
  });

  it("a query the embedder has no vector for still searches by keyword, with a warning", async () => {
    await add({ id: "code", memory: "The door code is QXZ991." });
    // GloVe falls back to character trigrams and never returns zeros; other embedders may.
    const zeroing: Embedder = {
      ...embedder,
      specificationVersion: "v1",
      provider: embedder.provider,
      modelId: embedder.modelId,
      dimensions: embedder.dimensions,
      maxBatch: embedder.maxBatch,
      doEmbed: async (texts) => texts.map(() => new Float32Array(embedder.dimensions)),
    };
    const r = await new Searcher({ store, embedder: zeroing }).search("QXZ991");
    expect(ids(r)).toEqual(["code"]);
    expect(r.warnings[0]).toMatch(/zero vector for the query/);
  });
});

describe("getRelevantSubgraph", () => {
  it("walks depth hops from the search seeds and keeps only visible nodes", async () => {
    await add(
      { id: "trip", memory: "Priya planned a hiking trip to Nepal." },
      { id: "boots", memory: "She bought waterproof boots." },
      { id: "blister", memory: "The boots gave her blisters." },
      { id: "far", memory: "She later returned the boots." },
      { id: "bobs", memory: "Bob lent her a map.", metadata: { user_id: "bob" } },
    );
    await store.addEdges([
      edge("trip", "boots"),
      edge("boots", "blister", "CAUSE"),
      edge("blister", "far", "FOLLOWS"),
      edge("trip", "bobs"),
    ]);
    const searcher = new Searcher({ store, embedder });
    const g = await searcher.getRelevantSubgraph("Priya hiking trip Nepal", {
      topK: 1,
      depth: 2,
      filter: { user_id: "alice" },
    });
    expect(g.seeds).toEqual(["trip"]);
    expect(g.nodes.map((n) => n.id).sort()).toEqual(["blister", "boots", "trip"]);
    expect(g.edges).toHaveLength(2);
    await expect(searcher.getRelevantSubgraph("x", { depth: 99 })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
