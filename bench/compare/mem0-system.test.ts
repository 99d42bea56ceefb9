import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToyEmbedder } from "../lib/toy-embedder.js";
import { type LocomoConversation, loadLocomo } from "../locomo/data.js";
import type { SystemFactory } from "../locomo/run.js";
import { createBm25System } from "../locomo/systems.js";
import { createMem0System, type Mem0System, mem0Version } from "./mem0-system.js";
import { writeCompareReports } from "./render.js";
import { runCompareBench } from "./run.js";

const FIXTURE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "../locomo/fixtures/two-sessions.json",
);
const toy = createToyEmbedder(256);

describe("mem0 as a retrieval system (offline, hand-made conversation)", () => {
  let conv: LocomoConversation;
  let mem0: Mem0System;

  beforeAll(async () => {
    [conv] = (await loadLocomo(FIXTURE)) as [LocomoConversation];
    mem0 = await createMem0System({ embedder: toy });
  });
  afterAll(async () => {
    await mem0.close();
  });

  it("stores one memory per turn with infer: false", async () => {
    const stats = await mem0.ingest(conv);
    expect(stats).toEqual({ items: 11, memories: 11 });
    expect(process.env.MEM0_TELEMETRY).toBe("false");
    expect(process.env.MEM0_DIR).toBe(mem0.dir);
  });

  it("maps search results back to dia_ids through metadata", async () => {
    const hits = await mem0.search(conv, "What did Ada repair in her garage?", 3);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]?.diaIds).toEqual(["D1:1"]);
    expect(hits[0]?.text).toBe("Ada: Morning Bruno! I finally repaired the old bicycle in my garage.");
    for (const h of hits) expect(h.diaIds).toHaveLength(1);
    // Threshold 0: every stored turn can be ranked, best first.
    const all = await mem0.search(conv, "What did Ada repair in her garage?", 50);
    expect(all).toHaveLength(11);
    expect(all.map((h) => h.score)).toEqual([...all.map((h) => h.score)].sort((a, b) => b - a));
  });

  it("made no network request and reports its version", () => {
    expect(mem0.networkAttempts).toEqual([]);
    expect(mem0Version()).toMatch(/^3\.3\./);
  });

  it("can keep its vectors in files, and removes its directory on close", async () => {
    const other = await createMem0System({ embedder: toy, inMemory: false });
    try {
      await other.ingest(conv);
      expect(existsSync(path.join(other.dir, "fx-1.db"))).toBe(true);
      const [top] = await other.search(conv, "What did Ada repair in her garage?", 1);
      expect(top?.diaIds).toEqual(["D1:1"]);
    } finally {
      await other.close();
    }
    expect(existsSync(other.dir)).toBe(false);
    // The environment is back as it was before `other`: the first system's directory.
    expect(process.env.MEM0_DIR).toBe(mem0.dir);
  });
});

describe("runCompareBench (mem0 beside a baseline, through the LoCoMo runner)", () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "compare-report-"));
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it("scores mem0 like every other system and writes compare-mem0 reports", async () => {
    const baselines: SystemFactory = async () => createBm25System();
    const report = await runCompareBench({
      with: "mem0",
      dataPath: FIXTURE,
      systems: ["mem0", "bm25"],
      createSystem: baselines,
      mem0Embedder: async () => toy,
      topK: 3,
    });
    expect(report.benchmark).toBe("compare");
    expect(report.settings.systems).toEqual(["mem0", "bm25"]);
    const rows = report.retrieval.filter((r) => r.system === "mem0" && r.category === "all");
    expect(rows.map((r) => r.k ?? r.budget_tokens)).toEqual([500, 1000, 2000, 1, 5, 10, 20]);
    // 11 short turns fit in 500 tokens: with threshold 0 every evidence turn is in the context.
    expect(rows[0]?.hit).toBe(1);
    expect(report.systems.mem0?.ingest.items).toBe(11);
    expect(report.mem0).toMatchObject({ package: "mem0ai", threshold: 0, network_attempts: 0 });
    expect(report.command).toContain("npx tsx bench/compare/cli.ts --with mem0");

    const files = await writeCompareReports(report, outDir);
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^compare-mem0-.*\.md$/)]),
    );
    const md = await readFile(path.join(outDir, "compare-mem0-latest.md"), "utf8");
    expect(md).toContain("# LoCoMo retrieval: memos vs mem0");
    expect(md).toContain("network requests attempted while mem0 ran: 0");
    const json = JSON.parse(await readFile(path.join(outDir, "compare-mem0-latest.json"), "utf8"));
    expect(json.mem0.version).toBe(report.mem0?.version);
  });
});
