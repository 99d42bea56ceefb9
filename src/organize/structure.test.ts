import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MemoryStore } from "../core/interfaces/store.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";
import { checkGraphConsistency } from "./consistency.js";
import { PROMPT_MARKERS } from "./prompts.js";
import { MemoryReorganizer } from "./reorganizer.js";
import { edgesOf, item, newStore, put, tableEmbedder, vec } from "./test-helpers.js";

const T = (d: number) => new Date(Date.UTC(2024, 0, d)).toISOString();

describe("MemoryReorganizer.optimizeStructure", () => {
  let store: MemoryStore;
  // Four memories about Ivy's trip (close to each other), one about her car (far away).
  const trip = [
    item("Ivy booked a flight to Lisbon.", T(1), { session_id: "s1", valid_at: T(1) }, "trip-0"),
    item("Ivy reserved a hotel in Lisbon.", T(2), { session_id: "s1", valid_at: T(2) }, "trip-1"),
    item("Ivy's Lisbon trip starts in May.", T(3), { session_id: "s1", valid_at: T(3) }, "trip-2"),
    item("Ivy packed for Lisbon.", T(4), { session_id: "s1", valid_at: T(4) }, "trip-3"),
  ];
  const car = item("Ivy's car needs new tyres.", T(5), {}, "car");
  const summaryText = "Ivy is preparing a trip to Lisbon in May.";
  const table = {
    [trip[0]?.memory as string]: vec(1, 0.3, 0),
    [trip[1]?.memory as string]: vec(1, 0, 0.3),
    [trip[2]?.memory as string]: vec(1, -0.3, 0),
    [trip[3]?.memory as string]: vec(1, 0, -0.3),
    [car.memory]: vec(0, 0, 0, 1),
    [summaryText]: vec(1, 0, 0),
  };

  beforeEach(async () => {
    store = await newStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it("writes a PARENT topic node over a cluster, with validated relation edges among its members", async () => {
    const embedder = tableEmbedder(table);
    const llm = createScriptedLanguageModel([
      {
        match: PROMPT_MARKERS.summary,
        reply: { key: "Lisbon trip", memory: summaryText, tags: ["travel", "lisbon"] },
      },
      {
        match: PROMPT_MARKERS.relations,
        reply: {
          relations: [
            { source: 0, target: 1, relation: "CONDITION" },
            { source: 0, target: 1, relation: "CONDITION" }, // repeated
            { source: 2, target: 2, relation: "RELATE_TO" }, // self
            { source: 3, target: 9, relation: "CAUSE" }, // out of range
            { source: -1, target: 0, relation: "CAUSE" }, // out of range
            { source: 1, target: 3, relation: "CAUSE" },
          ],
        },
      },
    ]);
    await put(store, embedder, [...trip, car]);
    const reorg = new MemoryReorganizer({ store, embedder, llm });
    const report = await reorg.optimizeStructure({ minClusterSize: 3 });

    expect(report.candidates).toBe(5);
    expect(report.clusters).toHaveLength(1);
    expect([...(report.clusters[0] ?? [])].sort()).toEqual(trip.map((t) => t.id));
    expect(report).toMatchObject({ parentEdges: 4, failures: 0, relationEdges: 2 });
    const parentId = report.parentIds[0] as string;
    const parent = await store.getItem(parentId);
    expect(parent?.memory).toBe(summaryText);
    expect(parent?.metadata).toMatchObject({
      type: "topic",
      memory_type: "LongTermMemory",
      key: "Lisbon trip",
      tags: ["travel", "lisbon"],
      status: "activated",
      version: 1,
      history: [],
      sources: [],
    });
    expect(await store.getEmbedding(parentId)).not.toBeNull();
    expect(await edgesOf(store, "PARENT")).toEqual(trip.map((t) => `${parentId}>PARENT>${t.id}`).sort());

    // Indices refer to the order the prompt listed the members in.
    const prompt = llm.calls.find((c) => c.messages.at(-1)?.content.startsWith(PROMPT_MARKERS.relations));
    const listed = (report.clusters[0] ?? []).map((id) => trip.find((t) => t.id === id)?.memory);
    for (const [i, m] of listed.entries()) expect(prompt?.messages.at(-1)?.content).toContain(`${i}. ${m}`);
    const ids = report.clusters[0] ?? [];
    expect([...(await edgesOf(store, "CONDITION")), ...(await edgesOf(store, "CAUSE"))].sort()).toEqual(
      [`${ids[0]}>CONDITION>${ids[1]}`, `${ids[1]}>CAUSE>${ids[3]}`].sort(),
    );
    expect(await edgesOf(store, "RELATE_TO")).toEqual([]);
    // Members are unchanged (edges are not node changes).
    for (const t of trip) expect((await store.getItem(t.id))?.metadata.version).toBe(1);
    // FOLLOWS along the session.
    expect(await edgesOf(store, "FOLLOWS")).toEqual([
      "trip-0>FOLLOWS>trip-1",
      "trip-1>FOLLOWS>trip-2",
      "trip-2>FOLLOWS>trip-3",
    ]);
    expect((await checkGraphConsistency(store)).ok).toBe(true);

    // Nodes already under a PARENT are not clustered again; the topic itself is not a candidate.
    const again = await reorg.optimizeStructure({ minClusterSize: 3 });
    expect(again).toMatchObject({ candidates: 1, clusters: [], parentIds: [] });
  });

  it("without an LLM: finds clusters but writes no summaries, only FOLLOWS", async () => {
    const embedder = tableEmbedder(table);
    await put(store, embedder, [...trip, car]);
    const report = await new MemoryReorganizer({ store, embedder }).optimizeStructure();
    expect(report.clusters).toHaveLength(1);
    expect(report).toMatchObject({
      parentIds: [],
      parentEdges: 0,
      relationEdges: 0,
      follows: 3,
      failures: 0,
    });
    expect(await store.count()).toBe(5);
  });

  it("respects minClusterSize, maxClusterSize and the threshold", async () => {
    const embedder = tableEmbedder(table);
    await put(store, embedder, [...trip, car]);
    const reorg = new MemoryReorganizer({ store, embedder });
    expect((await reorg.optimizeStructure({ minClusterSize: 5 })).clusters).toEqual([]);
    const capped = await reorg.optimizeStructure({ minClusterSize: 2, maxClusterSize: 2 });
    expect(capped.clusters.map((c) => c.length)).toEqual([2, 2]);
    expect((await reorg.optimizeStructure({ clusterThreshold: 0.99 })).clusters).toEqual([]);
    await expect(reorg.optimizeStructure({ minClusterSize: 1 })).rejects.toThrow(/minClusterSize/);
  });

  it("a failing summary or relation call is counted and writes nothing", async () => {
    const embedder = tableEmbedder(table);
    const llm = createScriptedLanguageModel([
      { match: PROMPT_MARKERS.summary, reply: "no JSON here" },
      { match: PROMPT_MARKERS.relations, reply: { relations: "none" } },
    ]);
    await put(store, embedder, [...trip, car]);
    const report = await new MemoryReorganizer({ store, embedder, llm }).optimizeStructure();
    expect(report).toMatchObject({ parentIds: [], relationEdges: 0, failures: 2 });
    expect(await store.count()).toBe(5);
    expect(await edgesOf(store, "PARENT")).toEqual([]);
  });

  it("only clusters the requested memory type and skips invalidated facts", async () => {
    const embedder = tableEmbedder(table);
    const user = trip.map((t) => ({
      ...t,
      id: `u-${t.id}`,
      metadata: { ...t.metadata, memory_type: "UserMemory" },
    }));
    const invalid = trip.map((t, i) =>
      i === 0 ? { ...t, metadata: { ...t.metadata, invalid_at: T(9) } } : t,
    );
    await put(store, embedder, [...invalid, ...user]);
    const reorg = new MemoryReorganizer({ store, embedder });
    const lt = await reorg.optimizeStructure();
    expect(lt.candidates).toBe(3);
    expect(lt.clusters.flat().every((id) => !id.startsWith("u-") && id !== "trip-0")).toBe(true);
    const um = await reorg.optimizeStructure({ memoryType: "UserMemory" });
    expect(um.clusters.flat().sort()).toEqual(user.map((u) => u.id).sort());
  });
});
