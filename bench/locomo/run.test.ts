import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/core/errors/index.js";
import { loadLocomo } from "./data.js";
import type { Answerer, Judge } from "./llm.js";
import { renderMarkdown, writeLocomoReports } from "./render.js";
import { type LocomoReport, runLocomoBench, type SystemFactory, scoreRetrieval } from "./run.js";
import { createBm25System } from "./systems.js";

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/two-sessions.json");
const bm25Factory: SystemFactory = async (name) => createBm25System({ dated: name === "bm25-dated" });

describe("loadLocomo", () => {
  it("reads sessions in order, ignores dates of sessions without turns, stringifies answers", async () => {
    const [conv] = await loadLocomo(FIXTURE);
    expect(conv?.id).toBe("fx-1");
    expect(conv?.sessions.map((s) => s.index)).toEqual([1, 2]);
    expect(conv?.sessions[0]?.dateTime).toBe("10:00 am on 3 March, 2024");
    expect(conv?.sessions[0]?.turns[3]?.blipCaption).toContain("loaf");
    expect(conv?.qa[1]?.answer).toBe("5");
    expect(conv?.qa[6]?.category).toBe(5);
  });

  it("rejects a file that is not LoCoMo with InvalidInputError", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "locomo-bad-"));
    try {
      const bad = path.join(dir, "bad.json");
      await writeFile(bad, JSON.stringify([{ sample_id: "x", qa: [] }]));
      await expect(loadLocomo(bad)).rejects.toSatisfy(InvalidInputError.isInstance);
      await writeFile(bad, "{not json");
      await expect(loadLocomo(bad)).rejects.toSatisfy(InvalidInputError.isInstance);
      await expect(loadLocomo(path.join(dir, "missing.json"))).rejects.toSatisfy(
        InvalidInputError.isInstance,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("scoreRetrieval", () => {
  it("scores at k and at token budgets (stop rule)", () => {
    const results = [
      { text: "word ".repeat(300), diaIds: ["D1:1"], score: 3 },
      { text: "word ".repeat(300), diaIds: ["D1:2"], score: 2 },
    ];
    // Each text is ~300 tokens: 500 holds one memory, 1000 both.
    const s = scoreRetrieval(results, ["D1:2"], [1, 2], [100, 500, 1000]);
    expect(s.recallAtK).toEqual([0, 1]);
    expect(s.recallAtBudget).toEqual([0, 0, 1]);
    expect(s.hitAtBudget).toEqual([0, 0, 1]);
  });
});

describe("runLocomoBench on a hand-made conversation", () => {
  let report: LocomoReport;
  let outDir: string;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "locomo-report-"));
    report = await runLocomoBench({
      dataPath: FIXTURE,
      systems: ["bm25", "bm25-dated"],
      createSystem: bm25Factory,
      topK: 3,
    });
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it("has the documented top-level shape", () => {
    expect(report.commit).toMatch(/^([0-9a-f]{40}(-dirty)?|unknown)$/);
    expect(report.data_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.settings).toMatchObject({
      mode: "fast",
      top_k: 3,
      systems: ["bm25", "bm25-dated"],
      conversations: ["fx-1"],
    });
    expect(report.latency_ms.search_p50).toBeGreaterThanOrEqual(0);
    expect(report.latency_ms.search_p95).toBeGreaterThanOrEqual(report.latency_ms.search_p50);
    expect(report.context_tokens_mean).toBeGreaterThan(0);
    // The headline is the first system when memos did not run; 11 turns were ingested.
    expect(report.headline_system).toBe("bm25");
    expect(report.ingest.items).toBe(11);
    expect(report.llm).toEqual({ status: "skipped", reason: "no LLM configured" });
  });

  it("has a row per system, category, k and budget with fractions in [0, 1]", () => {
    for (const row of report.retrieval) {
      expect(["bm25", "bm25-dated"]).toContain(row.system);
      expect(["all", "1", "2", "3", "4"]).toContain(row.category);
      expect((row.k === undefined) !== (row.budget_tokens === undefined)).toBe(true);
      expect(row.recall).toBeGreaterThanOrEqual(0);
      expect(row.recall).toBeLessThanOrEqual(1);
      expect(row.hit).toBeGreaterThanOrEqual(row.recall - 1e-9);
    }
    const all = report.retrieval.filter((r) => r.system === "bm25" && r.category === "all");
    expect(all.map((r) => r.k ?? r.budget_tokens)).toEqual([500, 1000, 2000, 1, 5, 10, 20]);
    // 5 questions with usable evidence (category 5 skipped, one with only "D").
    expect(all[0]?.questions).toBe(5);
    // 11 turns fit in 500 tokens, so every evidence turn the index matches is in the context.
    const at2000 = all.find((r) => r.budget_tokens === 2000);
    expect(at2000?.hit).toBe(1);
  });

  it("counts questions and evidence normalisation", () => {
    expect(report.questions).toMatchObject({
      total: 7,
      scored: 5,
      skipped_category_5: 1,
      without_evidence: 1,
    });
    expect(report.questions.by_category).toEqual({ "1": 1, "2": 1, "3": 1, "4": 2 });
    expect(report.evidence).toMatchObject({
      split: 1,
      repaired: 2,
      droppedUnparseable: 2,
      droppedUnknown: 1,
    });
  });

  it("writes json, md and svg reports with latest copies", async () => {
    const files = await writeLocomoReports(report, outDir);
    expect(files.map((f) => path.extname(f)).sort()).toEqual([".json", ".md", ".svg"]);
    const json = JSON.parse(await readFile(path.join(outDir, "locomo-latest.json"), "utf8"));
    expect(json.retrieval).toEqual(report.retrieval);
    const md = await readFile(path.join(outDir, "locomo-latest.md"), "utf8");
    expect(md).toContain("LLM metrics: skipped (no LLM configured)");
    expect(md).toContain(report.data_sha256);
    expect(md).toContain("npx tsx bench/locomo/cli.ts");
    expect(md).toContain("2 temporal");
    const svg = await readFile(path.join(outDir, "locomo-latest.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("bm25-dated");
  });

  it("rejects an unknown conversation id and bad settings", async () => {
    await expect(
      runLocomoBench({
        dataPath: FIXTURE,
        conversations: ["nope"],
        systems: ["bm25"],
        createSystem: bm25Factory,
      }),
    ).rejects.toSatisfy(InvalidInputError.isInstance);
    await expect(
      runLocomoBench({ dataPath: FIXTURE, topK: 0, systems: ["bm25"], createSystem: bm25Factory }),
    ).rejects.toSatisfy(InvalidInputError.isInstance);
  });
});

describe("LLM plug points", () => {
  it("computes F1, BLEU-1 and judge accuracy when an answerer and judge are given", async () => {
    // Answers with the first retrieved turn's text; the judge accepts answers containing the gold.
    const answerer: Answerer = { name: "echo", answer: async ({ memories }) => memories[0]?.text ?? "" };
    const judge: Judge = {
      name: "contains",
      judge: async ({ gold, prediction }) => prediction.toLowerCase().includes(gold.toLowerCase()),
    };
    const report = await runLocomoBench({
      dataPath: FIXTURE,
      systems: ["bm25"],
      createSystem: bm25Factory,
      answerer,
      judge,
    });
    expect(report.llm.status).toBe("done");
    if (report.llm.status !== "done") return;
    const all = report.llm.rows.find((r) => r.category === "all");
    expect(all?.questions).toBe(5);
    expect(all?.f1).toBeGreaterThan(0);
    expect(all?.judge_accuracy).toBeGreaterThan(0);
    expect(renderMarkdown(report)).toContain("answerer: echo, judge: contains");
  });
});
