/**
 * leastValuable: the oldest-first walk chooses exactly what sorting every memory would, and reads
 * about what it evicts rather than the whole capacity.
 */
import { describe, expect, it } from "vitest";
import { newId } from "../../../core/ids.js";
import type { ListOptions, MemoryStore } from "../../../core/interfaces/store.js";
import { mulberry32 } from "../../../core/math/random.js";
import { TextualMemoryItem } from "../../../core/schema/memory.js";
import { createSqliteMemoryStore } from "../../../storage/sqlite/index.js";
import { evictOverCapacity, leastValuable } from "./eviction.js";
import { byValueAscending } from "./value.js";

const NOW = Date.parse("2026-06-01T00:00:00.000Z");
const DAY = 86_400_000;
const FILTER = { status: "activated", memory_type: "LongTermMemory" };

interface Spec {
  updated: string | undefined;
  created?: string;
  uses?: number[]; // days ago
}

const iso = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();

function item(i: number, spec: Spec): TextualMemoryItem {
  return TextualMemoryItem.parse({
    id: newId(),
    memory: `memory ${i}`,
    metadata: {
      memory_type: "LongTermMemory",
      created_at: spec.created ?? spec.updated,
      updated_at: spec.updated,
      usage: (spec.uses ?? []).map((d) => ({ time: iso(d), query: "q" })),
    },
  });
}

async function storeOf(specs: Spec[]): Promise<MemoryStore> {
  const store = await createSqliteMemoryStore({ path: ":memory:" });
  await store.addItems(specs.map((s, i) => ({ item: item(i, s) })));
  return store;
}

/** The store, counting the memories its listings return. */
function counting(store: MemoryStore) {
  const seen = { items: 0, calls: 0 };
  return {
    seen,
    listItems: async (options?: ListOptions) => {
      const items = await store.listItems(options);
      seen.items += items.length;
      seen.calls++;
      return items;
    },
  };
}

async function fullSort(store: MemoryStore, count: number): Promise<string[]> {
  return (await store.listItems({ filter: FILTER }))
    .sort(byValueAscending(NOW))
    .slice(0, count)
    .map((i) => i.id);
}

describe("leastValuable", () => {
  it("chooses what a full sort chooses, on random ages and usage", async () => {
    for (const seed of [1, 2, 3, 4]) {
      const rand = mulberry32(seed);
      const specs: Spec[] = Array.from({ length: 400 }, () => {
        const age = rand() * 400;
        const uses = rand() < 0.3 ? Array.from({ length: Math.floor(rand() * 60) }, () => rand() * age) : [];
        return { updated: iso(age), created: iso(age + rand() * 30), uses };
      });
      const store = await storeOf(specs);
      for (const count of [1, 7, 40, 150]) {
        const walk = counting(store);
        const got = (await leastValuable(walk, FILTER, count, NOW)).map((i) => i.id);
        expect(got).toEqual(await fullSort(store, count));
      }
      await store.close();
    }
  });

  it("reads past memories whose usage keeps them, and not much further", async () => {
    // The 200 oldest are used daily; the 800 newer are not: the victims lie past the first page.
    const specs: Spec[] = [
      ...Array.from({ length: 200 }, (_, i) => ({ updated: iso(300 - i * 0.1), uses: [1, 2, 3, 4, 5, 6] })),
      ...Array.from({ length: 800 }, (_, i) => ({ updated: iso(200 - i * 0.2) })),
    ];
    const store = await storeOf(specs);
    const walk = counting(store);
    const got = await leastValuable(walk, FILTER, 10, NOW);
    expect(got.map((i) => i.id)).toEqual(await fullSort(store, 10));
    expect(got.every((i) => i.metadata.usage.length === 0)).toBe(true);
    expect(walk.seen.items).toBeLessThan(500); // of 1,000
    await store.close();
  });

  it("goes through a cube whose usage keeps every memory in a few growing pages", async () => {
    // Equal usage everywhere: only the last updated memories are safe, so the walk reads all.
    const specs: Spec[] = Array.from({ length: 1000 }, (_, i) => ({ updated: iso(1000 - i), uses: [1, 2] }));
    const store = await storeOf(specs);
    const walk = counting(store);
    const got = await leastValuable(walk, FILTER, 3, NOW);
    expect(got.map((i) => i.id)).toEqual(await fullSort(store, 3));
    expect(walk.seen.items).toBeLessThanOrEqual(1001);
    expect(walk.seen.calls).toBeLessThanOrEqual(7); // pages of 64, 128, 256, 512, … (not 16 of 64)
    await store.close();
  });

  it("reads a page, not the whole capacity, when the oldest are the least valuable", async () => {
    const store = await storeOf(Array.from({ length: 2000 }, (_, i) => ({ updated: iso(2000 - i) })));
    const walk = counting(store);
    const got = await leastValuable(walk, FILTER, 25, NOW);
    expect(got.map((i) => i.id)).toEqual(await fullSort(store, 25));
    expect(walk.seen.items).toBeLessThanOrEqual(1 + 64);
    await store.close();
  });

  it("stays exact when times carry zone offsets, a day's slack", async () => {
    const rand = mulberry32(9);
    const specs: Spec[] = Array.from({ length: 300 }, () => {
      const t = new Date(NOW - rand() * 100 * DAY);
      const offset = Math.floor(rand() * 13) - 6; // hours
      const local = new Date(t.getTime() + offset * 3_600_000).toISOString().slice(0, 19);
      const sign = offset < 0 ? "-" : "+";
      return { updated: `${local}${sign}${String(Math.abs(offset)).padStart(2, "0")}:00` };
    });
    const store = await storeOf(specs);
    for (const count of [3, 30]) {
      expect((await leastValuable(store, FILTER, count, NOW)).map((i) => i.id)).toEqual(
        await fullSort(store, count),
      );
    }
    await store.close();
  });

  it("finds a memory whose zone puts its text after newer ones", async () => {
    // 64 memories at 10:01–11:04 UTC fill the first page; one said at 12:00+05:00 (07:00 UTC,
    // the oldest) sorts after them all by its text.
    const specs: Spec[] = Array.from({ length: 64 }, (_, i) => ({
      updated: new Date(Date.parse("2026-05-01T10:00:00Z") + (i + 1) * 60_000)
        .toISOString()
        .replace(".000Z", "+00:00"),
    }));
    specs.push({ updated: "2026-05-01T12:00:00+05:00" });
    const store = await storeOf(specs);
    const [victim] = await leastValuable(store, FILTER, 1, NOW);
    expect(victim?.metadata.updated_at).toBe("2026-05-01T12:00:00+05:00");
    await store.close();
  });

  it("reads everything when a time is missing or not ISO-8601, and still chooses right", async () => {
    for (const odd of [undefined, "May 8, 2023", "08/05/2023"]) {
      const specs: Spec[] = Array.from({ length: 150 }, (_, i) => ({ updated: iso(150 - i) }));
      specs.push({ updated: odd, created: iso(500) }); // the oldest of all, whatever its text says
      const store = await storeOf(specs);
      const walk = counting(store);
      const got = await leastValuable(walk, FILTER, 5, NOW);
      expect(got.map((i) => i.id)).toEqual(await fullSort(store, 5));
      expect(walk.seen.items).toBeGreaterThanOrEqual(151);
      await store.close();
    }
  });

  it("keeps a capacity exactly through evictOverCapacity", async () => {
    const store = await storeOf(Array.from({ length: 300 }, (_, i) => ({ updated: iso(300 - i) })));
    const expected = await fullSort(store, 50);
    const evicted = await evictOverCapacity(store, { working: 20, longTerm: 250, user: 480 }, NOW);
    expect(evicted.map((e) => e.id).sort()).toEqual([...expected].sort());
    expect(await store.count(FILTER)).toBe(250);
    await store.close();
  });
});
