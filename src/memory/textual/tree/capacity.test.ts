/**
 * Capacities, eviction by value, usage tracking and working memory of TreeTextMemory.
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../core/errors/invalid-input-error.js";
import { listWorkingCopies, memoryValue, recordUsage, USAGE_LIMIT, WORKING_OF } from "./index.js";
import { daysAgo, newTree, old } from "./test-helpers.js";

describe("TreeTextMemory capacities and eviction", () => {
  it("archives the least valuable LongTermMemory beyond capacity, deleting nothing", async () => {
    const mem = await newTree({ capacities: { longTerm: 4, working: 2 } });
    const first = await mem.add([
      old("Ann keeps bees on the roof", 200),
      old("Ben repairs old radios", 190),
      old("Cal sails a small boat", 180),
      old("Dee collects blue stamps", 170),
    ]);
    expect(first.report.evicted).toEqual([]);
    // Ann's memory is old but retrieved: usage keeps it.
    const hits = await mem.search("who keeps bees on the roof", { topK: 1 });
    expect(hits[0]?.item.memory).toBe("Ann keeps bees on the roof");

    const second = await mem.add(["Eve bakes sourdough bread", "Fay climbs granite walls"]);
    const evicted = second.report.evicted.map((e) => e.id);
    expect(evicted).toHaveLength(2);
    const ids = Object.fromEntries(first.map((i) => [i.memory, i.id]));
    // Oldest unused first: Ben (190 days) and Cal (180 days), not Ann (used) nor Dee (newer).
    expect(new Set(evicted)).toEqual(new Set([ids["Ben repairs old radios"], ids["Cal sails a small boat"]]));
    for (const id of evicted) {
      const item = await mem.get(id);
      expect(item.metadata.status).toBe("archived");
      expect(item.metadata.version).toBe(2);
      expect(item.metadata.history.at(-1)).toMatchObject({
        update_type: "evicted",
        version: 1,
        memory: item.memory,
      });
    }
    expect(await mem.store.count({ status: "activated", memory_type: "LongTermMemory" })).toBe(4);
    // Nothing deleted: all six memories (plus the working copies) are still in the store.
    expect(await mem.store.count({ memory_type: "LongTermMemory" })).toBe(6);
    // Archived memories are not searched, but stay readable.
    const again = await mem.search("who repairs old radios", { topK: 10 });
    expect(again.map((h) => h.item.id)).not.toContain(ids["Ben repairs old radios"]);
    const inactive = await mem.search("who repairs old radios", { topK: 10, includeInactive: true });
    expect(inactive.map((h) => h.item.id)).toContain(ids["Ben repairs old radios"]);
  });

  it("caps UserMemory separately", async () => {
    const mem = await newTree({ capacities: { user: 2 } });
    await mem.add([
      old("I like jazz", 30, "UserMemory"),
      old("I live in Porto", 20, "UserMemory"),
      old("I own a cat", 10, "UserMemory"),
    ]);
    expect(await mem.store.count({ status: "activated", memory_type: "UserMemory" })).toBe(2);
    const archived = await mem.getAll({ filter: { status: "archived" } });
    expect(archived.map((a) => a.memory)).toEqual(["I like jazz"]);
  });

  it("values recency and usage as documented", () => {
    const now = Date.now();
    const base = { id: "x", memory: "m" };
    const meta = (created: string, uses: number) => ({
      status: "activated" as const,
      tags: [],
      memory_type: "LongTermMemory",
      sources: [],
      usage: Array.from({ length: uses }, () => ({ time: created })),
      version: 1,
      history: [],
      evolve_to: [],
      created_at: created,
      updated_at: created,
    });
    expect(memoryValue({ ...base, metadata: meta(new Date(now).toISOString(), 0) }, now)).toBeCloseTo(0.6, 5);
    // 30 days untouched: half the recency.
    expect(memoryValue({ ...base, metadata: meta(daysAgo(30), 0) }, now)).toBeCloseTo(0.3, 2);
    // 50 uses saturate the usage term.
    expect(memoryValue({ ...base, metadata: meta(daysAgo(3650), 50) }, now)).toBeCloseTo(0.4, 2);
  });

  it("rejects capacities that are not positive integers", async () => {
    await expect(newTree({ capacities: { working: 0 } })).rejects.toThrow(InvalidInputError);
    await expect(newTree({ capacities: { longTerm: 1.5 } })).rejects.toThrow(/longTerm/);
  });
});

describe("TreeTextMemory usage tracking", () => {
  it("appends {time, query} to each returned memory, without a version bump", async () => {
    const mem = await newTree();
    const [tea] = await mem.add(["Maya drinks green tea every morning", "Tom fixes bicycles on Sundays"]);
    const before = await mem.get(tea?.id as string);
    const hits = await mem.search("green tea", { topK: 1 });
    expect(hits[0]?.item.id).toBe(tea?.id);
    expect(hits[0]?.item.metadata.usage).toHaveLength(1);
    await mem.search("what does Maya drink", { topK: 1 });
    const after = await mem.get(tea?.id as string);
    expect(after.metadata.usage).toEqual([
      { time: expect.any(String), query: "green tea" },
      { time: expect.any(String), query: "what does Maya drink" },
    ]);
    expect(after.metadata.version).toBe(before.metadata.version);
    expect(after.metadata.updated_at).toBe(before.metadata.updated_at);
    expect(after.metadata.history).toEqual([]);
  });

  it(`keeps the last ${USAGE_LIMIT} uses`, async () => {
    const mem = await newTree();
    const [item] = await mem.add(["a memory read very often"]);
    for (let i = 0; i < USAGE_LIMIT + 5; i++) await recordUsage(mem.store, [item?.id as string], `q${i}`);
    const usage = (await mem.get(item?.id as string)).metadata.usage;
    expect(usage).toHaveLength(USAGE_LIMIT);
    expect(usage.at(-1)).toMatchObject({ query: `q${USAGE_LIMIT + 4}` });
    expect(usage[0]).toMatchObject({ query: "q5" });
  });
});

describe("TreeTextMemory working memory", () => {
  it("holds copies of the most recent memories, oldest leaving first", async () => {
    const mem = await newTree({ capacities: { working: 3 } });
    const added = [];
    for (const text of [
      "first note about apples",
      "second note about boats",
      "third note about clouds",
      "fourth note about dunes",
      "fifth note about elms",
    ]) {
      added.push(...(await mem.add([text])));
    }
    expect((await mem.workingMemory()).map((i) => i.memory)).toEqual([
      "fifth note about elms",
      "fourth note about dunes",
      "third note about clouds",
    ]);
    const copies = await listWorkingCopies(mem.store);
    expect(copies).toHaveLength(3);
    for (const c of copies) {
      expect(c.metadata.memory_type).toBe("WorkingMemory");
      const source = added.find((a) => a.id === c.metadata[WORKING_OF]);
      expect(source?.memory).toBe(c.memory);
    }
    // Search hands back the source, once, never the copy.
    const hits = await mem.search("note about elms", { topK: 5 });
    expect(hits.every((h) => h.item.metadata.memory_type !== "WorkingMemory")).toBe(true);
    expect(new Set(hits.map((h) => h.item.memory)).size).toBe(hits.length);
    const elms = hits.find((h) => h.item.memory === "fifth note about elms");
    expect(elms?.paths).toContain("working");
  });

  it("keeps the newest of one large add, and drops copies of deleted memories", async () => {
    const mem = await newTree({ capacities: { working: 2 } });
    const added = await mem.add(["one apple", "two boats", "three clouds", "four dunes"]);
    expect((await mem.workingMemory()).map((i) => i.memory)).toEqual(["four dunes", "three clouds"]);
    await mem.delete([added[3]?.id as string]);
    expect((await mem.workingMemory()).map((i) => i.memory)).toEqual(["three clouds"]);
    expect(await listWorkingCopies(mem.store)).toHaveLength(1);
  });

  it("copies follow their source's updates and rollbacks", async () => {
    const mem = await newTree();
    const [item] = await mem.add(["Ivo studies Dutch"]);
    await mem.update(item?.id as string, { memory: "Ivo studies Danish" });
    expect((await listWorkingCopies(mem.store)).map((c) => c.memory)).toEqual(["Ivo studies Danish"]);
    await mem.rollback(item?.id as string, 1);
    expect((await listWorkingCopies(mem.store)).map((c) => c.memory)).toEqual(["Ivo studies Dutch"]);
  });

  it("reports a failing reorganizer without losing the committed add", async () => {
    const mem = await newTree();
    Object.assign(mem.reorganizer, {
      integrate: async () => {
        throw new Error("reorganizer exploded");
      },
    });
    const added = await mem.add(["Gus grows tomatoes"]);
    expect(added).toHaveLength(1);
    expect(added.report.warnings).toEqual(["reorganize failed: reorganizer exploded"]);
    expect((await mem.get(added[0]?.id as string)).memory).toBe("Gus grows tomatoes");
    // The later steps still ran.
    expect(added.report.working?.entered).toEqual([added[0]?.id]);
  });
});
