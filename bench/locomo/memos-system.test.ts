import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Embedder } from "../../src/core/interfaces/embedder.js";
import { createSqliteMemoryStore } from "../../src/storage/sqlite/index.js";
import { type LocomoSession, loadLocomo } from "./data.js";
import { createMemosSystem, memoryDiaIds, mergeByScore, sessionMessages } from "./memos-system.js";

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/two-sessions.json");

const session: LocomoSession = {
  index: 1,
  dateTime: "10:00 am on 3 March, 2024",
  turns: [
    { speaker: "Ada", diaId: "D1:1", text: "I fixed my bike." },
    { speaker: "Bruno", diaId: "D1:2", text: "Nice!" },
    { speaker: "Bruno", diaId: "D1:3", text: "  " },
  ],
};

describe("sessionMessages", () => {
  it("gives the point-of-view speaker the user role, the other the assistant role", () => {
    const forAda = sessionMessages(session, "Ada");
    expect(forAda).toEqual([
      {
        role: "user",
        content: "I fixed my bike.",
        speaker: "Ada",
        message_id: "D1:1",
        chat_time: "2024-03-03T10:00:00.000Z",
      },
      {
        role: "assistant",
        content: "Nice!",
        speaker: "Bruno",
        message_id: "D1:2",
        chat_time: "2024-03-03T10:00:00.000Z",
      },
    ]);
    expect(sessionMessages(session, "Bruno").map((m) => m.role)).toEqual(["assistant", "user"]);
  });
});

describe("memoryDiaIds", () => {
  it("reads turn ids from sources, in order, without repeats", () => {
    const item = {
      id: "m1",
      memory: "x",
      metadata: {
        sources: [
          { message_id: "D1:2" },
          { message_id: "D1:3" },
          { message_id: "D1:2" },
          { content: "no id" },
        ],
      },
    };
    expect(memoryDiaIds(item as Parameters<typeof memoryDiaIds>[0])).toEqual(["D1:2", "D1:3"]);
  });
});

describe("mergeByScore", () => {
  const r = (text: string, score: number) => ({ text, diaIds: [text], score });

  it("orders both lists by score, speaker A first on ties, and cuts at k", () => {
    const merged = mergeByScore([r("a1", 0.9), r("a2", 0.5)], [r("b1", 0.7), r("b2", 0.5)], 3);
    expect(merged.map((m) => m.text)).toEqual(["a1", "b1", "a2"]);
  });

  it("drops a memory whose text already appeared", () => {
    const merged = mergeByScore([r("same", 0.9), r("a2", 0.1)], [r("same", 0.8), r("b2", 0.5)], 10);
    expect(merged.map((m) => m.text)).toEqual(["same", "b2", "a2"]);
  });
});

describe("memos system end to end (SQLite in memory, toy embedder)", () => {
  // A hashed bag of words: deterministic and instant, unlike loading GloVe.
  const toyEmbedder: Embedder = {
    specificationVersion: "v1",
    provider: "toy",
    modelId: "toy-hash-32",
    dimensions: 32,
    maxBatch: 64,
    async doEmbed(texts) {
      return texts.map((t) => {
        const v = new Float32Array(32);
        for (const w of t.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
          let h = 0;
          for (const c of w) h = (h * 31 + c.charCodeAt(0)) >>> 0;
          v[h % 32] = (v[h % 32] ?? 0) + 1;
        }
        const norm = Math.hypot(...v) || 1;
        return v.map((x) => x / norm);
      });
    },
  };

  it("ingests both points of view and maps memories back to turn ids", async () => {
    const [conv] = await loadLocomo(FIXTURE);
    if (!conv) throw new Error("fixture missing");
    const system = createMemosSystem({
      embedder: toyEmbedder,
      makeStore: (cubeId) => createSqliteMemoryStore({ path: ":memory:", cubeId }),
    });
    const stats = await system.ingest(conv);
    // 11 turns, each added once per speaker.
    expect(stats.items).toBe(22);
    expect(stats.memories).toBeGreaterThanOrEqual(2);
    const hits = await system.search(conv, "Which city is Bruno's sister Clara visiting from?", 5);
    expect(hits.length).toBeGreaterThan(0);
    const ids = hits.flatMap((h) => h.diaIds);
    expect(ids).toContain("D2:1");
    for (const id of ids) expect(id).toMatch(/^D[12]:\d$/);
    // The two cubes hold the same windows: merged results have no repeated text.
    expect(new Set(hits.map((h) => h.text)).size).toBe(hits.length);
    expect(hits[0]?.text).not.toContain("Bruno: Bruno:");
    await system.release?.(conv);
    expect(await system.search(conv, "Clara", 5)).toEqual([]);
  });
});
