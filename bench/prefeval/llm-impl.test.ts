import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { LLMMessage } from "../../src/core/interfaces/language-model.js";
import { createScriptedLanguageModel } from "../../src/testing/scripted-language-model.js";
import type { PrefLlmSection } from "./llm.js";
import { createPreferenceAnswerer, createPreferenceJudge } from "./llm-impl.js";
import { renderPrefevalMarkdown } from "./render.js";
import { runPrefevalBench } from "./run.js";
import { createPrefBm25System } from "./systems.js";

const dataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/explicit");
const last = (msgs: LLMMessage[]) => msgs.at(-1)?.content ?? "";

/** Says yes when the answer quotes the stated preference, no otherwise; "garbage" answers get no JSON. */
const judgeModel = () =>
  createScriptedLanguageModel([
    {
      match: "Stated preference:",
      reply: (msgs: LLMMessage[]) => {
        const prompt = last(msgs);
        const preference = /Stated preference: (.*)/.exec(prompt)?.[1] ?? "";
        const answer = /Answer: ([\s\S]*?)\n\nReply with/.exec(prompt)?.[1] ?? "";
        if (answer === "garbage") return "I cannot say.";
        return { followed: answer.includes(preference) ? "yes" : "no", reason: "checked the quote" };
      },
    },
    { match: "not valid", reply: "still no json" },
  ]);

describe("createPreferenceJudge", () => {
  const input = {
    preference: "I refuse to use any chemical pesticides in my allotment.",
    question: "Aphids are eating my broad beans. How do I get rid of them?",
    explanation: "A good answer offers organic controls such as ladybirds or soapy water.",
  };

  it("shows the preference, question, explanation and answer, and reads yes/no", async () => {
    const model = judgeModel();
    const judge = createPreferenceJudge(model);
    const yes = await judge.judge({ ...input, answer: `Since ${input.preference} try ladybirds.` });
    const no = await judge.judge({ ...input, answer: "Spray them with a pyrethroid insecticide." });
    expect(yes.followed).toBe(true);
    expect(no.followed).toBe(false);
    const prompt = last(model.calls[0]?.messages ?? []);
    expect(prompt).toContain(`Stated preference: ${input.preference}`);
    expect(prompt).toContain(`Question: ${input.question}`);
    expect(prompt).toContain(input.explanation);
    expect(model.calls[0]?.options).toMatchObject({ temperature: 0, responseFormat: { type: "json" } });
    expect(judge.invalidOutputs).toBe(0);
  });

  it("counts an unparseable verdict as not followed", async () => {
    const judge = createPreferenceJudge(judgeModel());
    expect((await judge.judge({ ...input, answer: "garbage" })).followed).toBe(false);
    expect(judge.invalidOutputs).toBe(1);
  });
});

describe("PrefEval with a scripted LLM on the hand-made fixture", () => {
  it("answers from the retrieved memories and reports preference following per topic", async () => {
    // The assistant quotes the first memory that states a preference ("I ..."), else gives generic advice.
    const answerModel = createScriptedLanguageModel([
      {
        match: /Memories of earlier conversations:[\s\S]*Question: /,
        reply: (msgs: LLMMessage[]) => {
          const line = last(msgs)
            .split("\n")
            .find((l) => /^\d+\. (?:\[[^\]]*\] )?User: I /.test(l));
          return line
            ? `Keeping in mind: ${line.replace(/^\d+\. (?:\[[^\]]*\] )?User: /, "")}`
            : "Generic advice.";
        },
      },
    ]);
    const report = await runPrefevalBench({
      dataDir,
      createSystem: async () => createPrefBm25System(),
      systems: ["bm25"],
      llm: { answerer: createPreferenceAnswerer(answerModel), judge: createPreferenceJudge(judgeModel()) },
    });
    const llm = report.llm as Extract<PrefLlmSection, { status: "done" }>;
    expect(llm).toMatchObject({ status: "done", answerer: "scripted:scripted", judge: "scripted:scripted" });
    expect(llm.llm_items).toBe("all");
    expect(llm.rows.map((r) => r.topic)).toEqual(["all", "gardening", "travel"]);
    const all = llm.rows.find((r) => r.topic === "all");
    expect(all?.items).toBe(5);
    // The answer follows exactly when BM25's top-k held the preference turn (the answerer quotes it).
    const recalledAtK = report.retrieval.find((r) => r.topic === "all" && r.k === report.settings.top_k);
    expect(all?.followed).toBeGreaterThan(0);
    expect(all?.followed).toBeLessThanOrEqual(recalledAtK?.recall ?? 0);
    expect(answerModel.calls).toHaveLength(5);
    const withMemories = answerModel.calls.map((c) => last(c.messages)).find((p) => p.includes("\n1. "));
    expect(withMemories).toMatch(/^Memories of earlier conversations:\n1\. (User|Assistant): /);
    expect(withMemories).toMatch(/\n\nQuestion: .+$/);
    expect(answerModel.calls[0]?.messages[0]?.role).toBe("system");
    expect(renderPrefevalMarkdown(report)).toContain("items answered per system: all");
  });

  it("judges only the first N items with llm.items", async () => {
    const report = await runPrefevalBench({
      dataDir,
      createSystem: async () => createPrefBm25System(),
      systems: ["bm25"],
      llm: {
        answerer: createPreferenceAnswerer(
          createScriptedLanguageModel([{ match: "Question:", reply: "ok" }]),
        ),
        judge: createPreferenceJudge(judgeModel()),
        items: 2,
      },
    });
    const llm = report.llm as Extract<PrefLlmSection, { status: "done" }>;
    expect(llm.llm_items).toBe(2);
    expect(llm.rows.find((r) => r.topic === "all")).toMatchObject({ items: 2, followed: 0 });
  });
});
