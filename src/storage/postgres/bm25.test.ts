import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PgliteServer, startPgliteServer } from "../../../test/support/pglite-server.js";
import type { MemoryStore, StoredItem } from "../../core/interfaces/store.js";
import { mulberry32 } from "../../core/math/random.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import { createSqliteMemoryStore } from "../sqlite/index.js";
import { createPostgresMemoryStore } from "./index.js";

let pg: PgliteServer;
beforeAll(async () => {
  pg = await startPgliteServer();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

const WORDS = (
  "garden coffee morning bicycle museum painting concert violin travel mountain river kitchen " +
  "recipe birthday holiday friend sister brother doctor meeting project deadline budget report " +
  "photograph camera library novel chapter marathon running swimming football weekend evening " +
  "breakfast dinner restaurant market vegetables chocolate flowers lighthouse harbour island " +
  "airport train ticket hotel beach sunset winter summer spring autumn rain snow cooking baking " +
  "teacher student lesson exam guitar piano dancing hiking climbing fishing sailing boat"
).split(" ");
const FILLER = "the a and with after before during about her his their my our at in on for to of".split(" ");

/** Sentences whose words follow a skewed distribution, as real memories do: some words common, most rare. */
function corpus(n: number): StoredItem[] {
  const rand = mulberry32(11);
  const word = () => WORDS[Math.floor(WORDS.length * rand() ** 2)] as string;
  return Array.from({ length: n }, (_, i) => {
    const parts: string[] = [];
    const len = 5 + Math.floor(rand() * 15);
    for (let j = 0; j < len; j++)
      parts.push(rand() < 0.35 ? (FILLER[Math.floor(rand() * FILLER.length)] as string) : word());
    return {
      item: TextualMemoryItem.parse({
        id: `m${String(i).padStart(4, "0")}`,
        memory: parts.join(" "),
        metadata: {},
      }),
    };
  });
}

const top = (store: MemoryStore, q: string) => store.keywordSearch(q, { k: 10 });

describe("postgres keyword ranking against SQLite's FTS5 BM25", () => {
  it("ranks as the SQLite store does: the same top 10, in the same order, with the same BM25 scores", async () => {
    const items = corpus(600);
    const sqlite = await createSqliteMemoryStore({ path: ":memory:" });
    const postgres = await createPostgresMemoryStore({
      url: pg.url,
      cubeId: "bm25-agreement",
      poolSize: pg.poolSize,
    });
    try {
      await sqlite.addItems(items);
      await postgres.addItems(items);
      const rand = mulberry32(5);
      const queries = 40;
      for (let i = 0; i < queries; i++) {
        const q = Array.from(
          { length: 2 + Math.floor(rand() * 2) },
          () => WORDS[Math.floor(rand() * WORDS.length)],
        ).join(" ");
        const [a, b] = [await top(sqlite, q), await top(postgres, q)];
        expect(
          b.map((h) => h.id),
          q,
        ).toEqual(a.map((h) => h.id));
        for (const [j, h] of b.entries()) expect(h.score, q).toBeCloseTo(a[j]?.score as number, 6);
        expect(a.length, q).toBeGreaterThan(0);
      }
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });
});
