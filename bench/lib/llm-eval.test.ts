import { describe, expect, it } from "vitest";
import { createScriptedLanguageModel } from "../../src/testing/scripted-language-model.js";
import { createLlmAnswerer, createLlmJudge, formatMemories, memoryDate } from "./llm-eval.js";

const dates = new Map([
  ["D1:1", "10:00 am on 3 March, 2024"],
  ["D2:4", "4:30 pm on 17 March, 2024"],
]);
const dateOf = (id: string) => dates.get(id);

describe("createLlmAnswerer", () => {
  it("prompts with each memory's session date, the rules and the question, at temperature 0", async () => {
    const model = createScriptedLanguageModel([
      { match: "Question: When did Ada adopt Pepper?", reply: " 10 March 2024 \n" },
    ]);
    const answerer = createLlmAnswerer(model);
    expect(answerer.name).toBe("scripted:scripted");
    const answer = await answerer.answer({
      question: "When did Ada adopt Pepper?",
      memories: [
        { text: "Ada: I adopted a grey cat named Pepper last week.", diaIds: ["D2:4"], score: 2 },
        { text: "Ada: I finally repaired the old bicycle.", diaIds: ["D1:1"], score: 1 },
      ],
      speakerA: "Ada",
      speakerB: "Bruno",
      dateOf,
    });
    expect(answer).toBe("10 March 2024");
    const call = model.calls[0];
    const prompt = call?.messages.at(-1)?.content ?? "";
    expect(prompt).toContain(
      "1. [4:30 pm on 17 March, 2024] Ada: I adopted a grey cat named Pepper last week.",
    );
    expect(prompt).toContain("2. [10:00 am on 3 March, 2024] Ada: I finally repaired the old bicycle.");
    expect(prompt).toContain("between Ada and Bruno");
    expect(prompt).toMatch(/5–6 words/);
    expect(prompt).toMatch(/last year/);
    expect(call?.options.temperature).toBe(0);
  });

  it("does not date a memory twice, spans sessions, and says when nothing was retrieved", () => {
    expect(memoryDate(["D1:1", "D2:4", "D1:1"], dateOf)).toBe(
      "10:00 am on 3 March, 2024 – 4:30 pm on 17 March, 2024",
    );
    expect(memoryDate(["D9:9"], dateOf)).toBeUndefined();
    const dated = formatMemories({
      memories: [{ text: "[10:00 am on 3 March, 2024] Ada: hi", diaIds: ["D1:1"], score: 1 }],
      dateOf,
    });
    expect(dated).toBe("1. [10:00 am on 3 March, 2024] Ada: hi");
    expect(formatMemories({ memories: [] })).toMatch(/no memories/);
  });
});

describe("createLlmJudge", () => {
  const judgeOf = (label: (call: number) => "CORRECT" | "WRONG" | "garbage") => {
    let n = 0;
    return createScriptedLanguageModel([
      {
        match: "Gold answer:",
        reply: () => {
          const l = label(n++);
          return l === "garbage" ? "no json here" : { label: l, reasoning: "compared key facts" };
        },
      },
      // generateObject's repair turn: the last user message is the repair request.
      { match: "not valid", reply: "still not json" },
    ]);
  };

  it("asks with the generous rubric and returns one verdict per run", async () => {
    const model = judgeOf((i) => (i === 1 ? "WRONG" : "CORRECT"));
    const judge = createLlmJudge(model, { runs: 3 });
    const verdicts = await judge.judge({
      question: "When?",
      gold: "7 May 2023",
      prediction: "May 7th, 2023",
    });
    expect(verdicts).toEqual([true, false, true]);
    expect(judge.runs).toBe(3);
    const prompt = model.calls[0]?.messages.at(-1)?.content ?? "";
    expect(prompt).toContain("Gold answer: 7 May 2023");
    expect(prompt).toContain("Generated answer: May 7th, 2023");
    expect(prompt).toMatch(/key facts/);
    expect(prompt).toMatch(/relative reference/);
    expect(model.calls[0]?.options.responseFormat).toMatchObject({ type: "json" });
  });

  it("counts an output that stays invalid as WRONG, and rejects a bad run count", async () => {
    const judge = createLlmJudge(
      judgeOf(() => "garbage"),
      { runs: 1 },
    );
    expect(await judge.judge({ question: "q", gold: "a", prediction: "a" })).toEqual([false]);
    expect(judge.invalidOutputs).toBe(1);
    expect(() =>
      createLlmJudge(
        judgeOf(() => "CORRECT"),
        { runs: 0 },
      ),
    ).toThrow(RangeError);
  });
});
