import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LLMMessage } from "../../src/core/interfaces/language-model.js";
import { createScriptedLanguageModel } from "../../src/testing/scripted-language-model.js";
import { createLlmAnswerer, createLlmJudge } from "../lib/llm-eval.js";
import type { LlmSection } from "./llm.js";
import { renderMarkdown, writeLocomoReports } from "./render.js";
import { type LocomoReport, runLocomoBench, type SystemFactory } from "./run.js";
import { createBm25System } from "./systems.js";

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/two-sessions.json");
const bm25Factory: SystemFactory = async () => createBm25System({ dated: false });

/** What the scripted answerer says to each scored question of the fixture. */
const ANSWERS: Record<string, string> = {
  "What did Ada repair in her garage?": "An old bicycle.",
  "How many days does Bruno's sourdough starter take?": "five days",
  "When did Ada adopt the cat Pepper?": "10 March 2024",
  "Which city is Bruno's sister Clara visiting from?": "Lisbon",
  "What might Ada cook with Bruno?": "sourdough bread",
};

const answerModel = () =>
  createScriptedLanguageModel([
    {
      match: /Question: (.*)\nAnswer:$/,
      reply: (msgs: LLMMessage[]) => {
        const q = /Question: (.*)\nAnswer:$/.exec(msgs.at(-1)?.content ?? "")?.[1] ?? "";
        return ANSWERS[q] ?? "unknown";
      },
    },
  ]);

/**
 * CORRECT when the generated answer contains the gold one, except that every third call (the
 * third run of each question) says WRONG, so the runs' accuracies differ.
 */
const judgeModel = () => {
  let calls = 0;
  return createScriptedLanguageModel([
    {
      match: "Gold answer:",
      reply: (msgs: LLMMessage[]) => {
        const prompt = msgs.at(-1)?.content ?? "";
        const gold = /Gold answer: (.*)/.exec(prompt)?.[1]?.toLowerCase() ?? "";
        const predicted = /Generated answer: (.*)/.exec(prompt)?.[1]?.toLowerCase() ?? "";
        const run = calls++ % 3;
        const label = run !== 2 && predicted.includes(gold) ? "CORRECT" : "WRONG";
        return { label, reasoning: `run ${run}` };
      },
    },
  ]);
};

describe("LoCoMo with a scripted LLM answerer and judge, end to end", () => {
  let out: string;
  let report: LocomoReport;
  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "locomo-llm-"));
    report = await runLocomoBench({
      dataPath: FIXTURE,
      systems: ["bm25"],
      createSystem: bm25Factory,
      answerer: createLlmAnswerer(answerModel()),
      judge: createLlmJudge(judgeModel(), { runs: 3 }),
    });
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it("writes F1, BLEU-1 and judge mean ± std per category into the report JSON", async () => {
    await writeLocomoReports(report, out);
    const json = JSON.parse(await readFile(path.join(out, "locomo-latest.json"), "utf8")) as LocomoReport;
    const llm = json.llm as Extract<LlmSection, { status: "done" }>;
    expect(llm).toMatchObject({
      status: "done",
      answerer: "scripted:scripted",
      judge: "scripted:scripted",
      judge_runs: 3,
      judge_invalid_outputs: 0,
      llm_questions: "all",
    });
    expect(llm.rows.map((r) => r.category)).toEqual(["all", "1", "2", "3", "4"]);
    const all = llm.rows.find((r) => r.category === "all");
    // Contained gold: bicycle, Lisbon, sourdough bread → 3 of 5 on runs 0 and 1, none on run 2.
    expect(all).toMatchObject({ system: "bm25", questions: 5, judge_runs: [0.6, 0.6, 0] });
    expect(all?.judge_accuracy).toBeCloseTo(0.4, 4);
    expect(all?.judge_std).toBeCloseTo(Math.sqrt(0.08), 4);
    const single = llm.rows.find((r) => r.category === "4");
    // "An old bicycle." vs "an old bicycle": F1 1; "five days" vs "5": F1 0.
    expect(single).toMatchObject({ questions: 2, f1: 0.5, bleu1: 0.5 });
    const multi = llm.rows.find((r) => r.category === "1");
    expect(multi).toMatchObject({ questions: 1, f1: 1, judge_runs: [1, 1, 0] });
    const md = renderMarkdown(json);
    expect(md).toContain("answerer: scripted:scripted, judge: scripted:scripted");
    expect(md).toContain("0.400 ± 0.283");
    expect(md).toMatch(/3 judge run\(s\) per answer/);
  });

  it("answers only the first --llm-questions questions, the same ones for every system", async () => {
    const limited = await runLocomoBench({
      dataPath: FIXTURE,
      systems: ["bm25", "bm25-dated"],
      createSystem: async (name) => createBm25System({ dated: name === "bm25-dated" }),
      answerer: createLlmAnswerer(answerModel()),
      judge: createLlmJudge(judgeModel(), { runs: 1 }),
      llmQuestions: 3,
    });
    const llm = limited.llm as Extract<LlmSection, { status: "done" }>;
    expect(llm.llm_questions).toBe(3);
    for (const system of ["bm25", "bm25-dated"]) {
      const all = llm.rows.find((r) => r.system === system && r.category === "all");
      expect(all?.questions).toBe(3);
      expect(llm.rows.filter((r) => r.system === system).map((r) => r.category)).toEqual(["all", "2", "4"]);
    }
    // Retrieval still scores every question.
    expect(limited.retrieval.find((r) => r.category === "all")?.questions).toBe(5);
  });
});
