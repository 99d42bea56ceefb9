import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/core/errors/index.js";
import { createSqliteMemoryStore } from "../../src/storage/sqlite/index.js";
import { createToyEmbedder } from "../lib/toy-embedder.js";
import { PREFERENCE_TURN_ID, type PrefSession } from "./insert.js";
import { renderPrefevalMarkdown, writePrefevalReports } from "./render.js";
import { type PrefevalReport, type PrefevalSystemFactory, runPrefevalBench } from "./run.js";
import { scorePreference } from "./score.js";
import { createPrefBm25System, createPrefDenseSystem, createPrefMemosSystem } from "./systems.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const dataDir = path.join(FIXTURES, "explicit");
// Wide enough that the few words of these tests do not collide.
const toy = createToyEmbedder(256);
const factory: PrefevalSystemFactory = async (name) =>
  name === "bm25"
    ? createPrefBm25System()
    : name === "glove"
      ? createPrefDenseSystem(toy, "glove")
      : createPrefMemosSystem({
          embedder: toy,
          makeStore: () => createSqliteMemoryStore({ path: ":memory:", cubeId: "prefeval-test" }),
        });

describe("scorePreference (recall@k of the preference turn)", () => {
  const r = (ids: string[], words: number) => ({ text: "word ".repeat(words), diaIds: ids, score: 1 });

  it("counts the preference as recalled once a memory covering it is within the cut-off", () => {
    const results = [r(["C1:1"], 10), r(["C1:2", PREFERENCE_TURN_ID], 10), r(["C2:1"], 10)];
    const s = scorePreference(results, [1, 2, 3], [5, 15, 25]);
    expect(s.atK).toEqual([0, 1, 1]);
    // ~10 tokens each: 5 holds none, 15 one, 25 two memories.
    expect(s.atBudget).toEqual([0, 0, 1]);
    expect(s.rank).toBe(2);
  });

  it("gives 0 at every cut-off and rank 0 when the preference is not retrieved", () => {
    const s = scorePreference([r(["C1:1"], 3)], [1, 10], [100]);
    expect(s).toEqual({ atK: [0, 0], atBudget: [0], rank: 0 });
  });
});

describe("systems find the preference turn among distractors", () => {
  const distractors: PrefSession = {
    id: "chat-1",
    time: "2024-01-01T10:00:00.000Z",
    turns: [
      { id: "C1:1", role: "user", content: "How do I sort a list in Python?" },
      { id: "C1:2", role: "assistant", content: "Use sorted(list) or list.sort()." },
    ],
  };
  const host: PrefSession = {
    id: "chat-2",
    time: "2024-01-02T10:00:00.000Z",
    turns: [
      { id: "C2:1", role: "user", content: "Tell me about volcanoes." },
      { id: PREFERENCE_TURN_ID, role: "user", content: "I get seasick, so I avoid boats and ferries." },
    ],
  };

  for (const name of ["memos", "bm25", "glove"] as const) {
    it(`${name}: add, search, remove`, async () => {
      const system = await factory(name);
      try {
        await system.add(distractors);
        const stats = await system.add(host);
        expect(stats.items).toBe(2);
        await system.flush?.();
        const hits = await system.search("a holiday without ferries or boats", 3);
        expect(hits[0]?.diaIds).toContain(PREFERENCE_TURN_ID);
        await system.remove("chat-2");
        const after = await system.search("a holiday without ferries or boats", 3);
        expect(after.flatMap((h) => h.diaIds)).not.toContain(PREFERENCE_TURN_ID);
        await system.clear();
        expect(await system.search("python sort", 3)).toEqual([]);
      } finally {
        await system.close();
      }
    });
  }
});

describe("runPrefevalBench on hand-made topics", () => {
  let report: PrefevalReport;
  let outDir: string;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "prefeval-report-"));
    report = await runPrefevalBench({ dataDir, createSystem: factory, topK: 2 });
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it("has the documented shape", () => {
    expect(report.benchmark).toBe("prefeval");
    expect(report.data_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(report.data_files)).toEqual(["gardening.json", "travel.json"]);
    expect(report.distractor_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.settings).toMatchObject({
      topics: ["gardening", "travel"],
      distractors: 3,
      distractor_turns: 9,
      seed: 1,
      top_k: 2,
      k_values: [1, 5, 10],
      systems: ["memos", "bm25", "glove"],
    });
    expect(report.items).toEqual({ total: 5, by_topic: { gardening: 2, travel: 3 } });
    expect(report.headline_system).toBe("memos");
    expect(report.llm).toEqual({ status: "skipped", reason: "no LLM configured" });
    expect(report.command).toContain("npx tsx bench/prefeval/cli.ts");
  });

  it("has rows per system, topic (and all), k and budget, with recall in [0, 1]", () => {
    const rows = report.retrieval.filter((r) => r.system === "glove" && r.topic === "all");
    expect(rows.map((r) => r.k ?? r.budget_tokens)).toEqual([1, 5, 10, 500, 1000, 2000]);
    expect(rows[0]?.items).toBe(5);
    for (const row of report.retrieval) {
      expect(row.recall).toBeGreaterThanOrEqual(0);
      expect(row.recall).toBeLessThanOrEqual(1);
    }
    // 9 distractor turns + 1: at k = 10 the dense baseline (which ranks every turn) returns all.
    expect(rows.find((r) => r.k === 10)?.recall).toBe(1);
    const stats = report.systems.bm25;
    expect(stats?.ingest.items).toBeGreaterThan(0);
    expect(stats?.mrr).toBeGreaterThan(0);
  });

  it("gives recall 1 at k = 1 with no distractors, and honours --limit and --topics", async () => {
    const alone = await runPrefevalBench({
      dataDir,
      createSystem: factory,
      systems: ["glove"],
      distractors: 0,
      topics: ["travel"],
      limit: 2,
    });
    expect(alone.items.total).toBe(2);
    expect(alone.retrieval.find((r) => r.topic === "all" && r.k === 1)?.recall).toBe(1);
  });

  it("writes json, md and svg reports with latest copies", async () => {
    const files = await writePrefevalReports(report, outDir);
    expect(files.map((f) => path.extname(f)).sort()).toEqual([".json", ".md", ".svg"]);
    const json = JSON.parse(await readFile(path.join(outDir, "prefeval-latest.json"), "utf8"));
    expect(json.retrieval).toEqual(report.retrieval);
    const md = await readFile(path.join(outDir, "prefeval-latest.md"), "utf8");
    expect(md).toContain("LLM metrics: skipped (no LLM configured)");
    expect(md).toContain(report.distractor_sha256);
    expect(md).toContain("| travel |");
    const svg = await readFile(path.join(outDir, "prefeval-latest.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
  });

  it("rejects bad settings as InvalidInputError", async () => {
    for (const bad of [{ distractors: 4 }, { topK: 0 }, { limit: 0 }, { topics: ["cooking"] }]) {
      await expect(
        runPrefevalBench({ dataDir, createSystem: factory, systems: ["bm25"], ...bad }),
      ).rejects.toSatisfy(InvalidInputError.isInstance);
    }
  });
});

describe("LLM plug points", () => {
  it("reports the fraction of answers that followed the preference", async () => {
    const report = await runPrefevalBench({
      dataDir,
      createSystem: factory,
      systems: ["bm25"],
      llm: {
        // Answers with the retrieved memories; the judge accepts answers that quote the preference.
        answerer: { name: "echo", answer: async ({ memories }) => memories.map((m) => m.text).join("\n") },
        judge: {
          name: "quotes-preference",
          judge: async ({ preference, answer }) => ({ followed: answer.includes(preference) }),
        },
      },
    });
    expect(report.llm.status).toBe("done");
    if (report.llm.status !== "done") return;
    const all = report.llm.rows.find((r) => r.topic === "all");
    expect(all?.items).toBe(5);
    // The echo answer holds the retrieved memories, so it "follows" exactly when the preference
    // turn was retrieved within top_k: the fraction must equal bm25's recall at k = top_k.
    const recalled = report.retrieval.find(
      (r) => r.system === "bm25" && r.topic === "all" && r.k === report.settings.top_k,
    );
    expect(recalled?.recall).toBeGreaterThan(0);
    expect(all?.followed).toBe(recalled?.recall);
    expect(renderPrefevalMarkdown(report)).toContain("answerer: echo, judge: quotes-preference");
  });
});
