/**
 * `npx tsx bench/eviction.ts [--capacities 1500,10000,50000] [--evict 25] [--rounds 40] [--json]`:
 * the cost of one capacity eviction of the tree memory (`evictOverCapacity`) in a cube at each
 * capacity. The cube holds capacity + evict × rounds activated LongTermMemory, an hour apart,
 * never used, in an in-memory SQLite store; each round lowers the capacity by `evict`, so every
 * round archives exactly that many. Prints milliseconds per eviction (mean over the rounds).
 */
import { newId } from "../src/core/ids.js";
import { TextualMemoryItem } from "../src/core/schema/memory.js";
import { evictOverCapacity } from "../src/memory/textual/tree/eviction.js";
import { createSqliteMemoryStore } from "../src/storage/sqlite/index.js";
import { fmt, markdownTable } from "./lib/report.js";

export interface EvictionRow {
  capacity: number;
  evicted_per_round: number;
  rounds: number;
  ms_per_eviction: number;
}

/** One capacity: fill, then `rounds` evictions of `evict` each, timed together. */
export async function measureEviction(capacity: number, evict: number, rounds: number): Promise<EvictionRow> {
  const store = await createSqliteMemoryStore({ path: ":memory:" });
  try {
    const now = Date.now();
    const n = capacity + evict * rounds;
    const items = Array.from({ length: n }, (_, i) => {
      const t = new Date(now - (n - i) * 3_600_000).toISOString();
      const item = TextualMemoryItem.parse({
        id: newId(),
        memory: `memory ${i} about topic ${i % 97}`,
        metadata: { memory_type: "LongTermMemory", created_at: t, updated_at: t },
      });
      return { item };
    });
    for (let i = 0; i < items.length; i += 5000) await store.addItems(items.slice(i, i + 5000));
    const started = performance.now();
    for (let r = 1; r <= rounds; r++) {
      const out = await evictOverCapacity(store, { working: 20, longTerm: n - evict * r, user: 480 }, now);
      if (out.length !== evict) throw new Error(`round ${r} evicted ${out.length}, not ${evict}`);
    }
    return {
      capacity,
      evicted_per_round: evict,
      rounds,
      ms_per_eviction: (performance.now() - started) / rounds,
    };
  } finally {
    await store.close();
  }
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const capacities = option("--capacities", "1500,10000,50000").split(",").map(Number);
  const evict = Number(option("--evict", "25"));
  const rounds = Number(option("--rounds", "40"));
  const rows: EvictionRow[] = [];
  for (const c of capacities) rows.push(await measureEviction(c, evict, rounds));
  if (process.argv.includes("--json")) console.log(JSON.stringify(rows, null, 2));
  else
    console.log(
      markdownTable(
        ["capacity", "evicted per round", "rounds", "ms per eviction"],
        rows.map((r) => [
          String(r.capacity),
          String(r.evicted_per_round),
          String(r.rounds),
          fmt(r.ms_per_eviction, 2),
        ]),
      ),
    );
}
