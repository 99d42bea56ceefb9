/**
 * MOS.chat with a scripted LLM: what the prompt holds, citations, streaming, history,
 * write-back, the ACL on what chat can see, and the error without an LLM.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors/config-error.js";
import type { LLMMessage } from "../core/interfaces/language-model.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";
import { stripCitations } from "./chat.js";
import { buildSystemPrompt } from "./chat-prompt.js";
import { parseCitations } from "./citations.js";
import { MOS } from "./mos.js";
import { tempDir } from "./test-helpers.js";

/** The `[i:id] text` lines of a system prompt. */
function promptMemories(messages: LLMMessage[]): { index: number; id: string; line: string }[] {
  const system = messages[0]?.content ?? "";
  return [...system.matchAll(/^\[(\d+):([^\]]+)\] (.*)$/gm)].map((m) => ({
    index: Number(m[1]),
    id: m[2] as string,
    line: m[3] as string,
  }));
}

/** Answers citing the prompt's memory about `topic`, plus one invented id. */
const llm = createScriptedLanguageModel([
  {
    match: () => true,
    reply: (messages) => {
      const mems = promptMemories(messages);
      const cat = mems.find((m) => m.line.includes("Pixel"));
      if (!cat) return "I do not know.";
      return `Your cat is called Pixel [${cat.index}:${cat.id}]. You also like jazz [7:00000000-fake-fake-fake-000000000000].`;
    },
  },
]);

describe("MOS.chat", () => {
  const t = tempDir("memos-chat-");
  let mos: MOS;
  let pixel: string;

  beforeAll(async () => {
    mos = await MOS.init({ home: t.dir, user: "maya", llm });
    await mos.createUser("sam");
    await mos.createUser("gus", { role: "guest" });
    pixel = (await mos.add({ memoryContent: "Maya's cat is called Pixel; she adopted him in March 2025" }))
      .memories[0]?.id as string;
    await mos.add({ memoryContent: "Maya trains for the Lisbon half marathon" });
    await mos.add({ userId: "sam", memoryContent: "Sam's dog is called Rex" });
  });
  afterAll(async () => {
    await mos.close();
    t.cleanup();
  });

  it("puts the retrieved memories in the system prompt, numbered [i:memId] and dated, with the citation rules", async () => {
    const r = await mos.chat("What is my cat called?", {
      sessionId: "prompt",
      now: new Date("2025-06-01T00:00:00Z"),
    });
    const call = llm.calls.at(-1);
    const system = call?.messages[0]?.content ?? "";
    expect(call?.messages[0]?.role).toBe("system");
    expect(system).toContain("Today is 2025-06-01.");
    expect(system).toMatch(/Cite only ids you were given/);
    const mems = promptMemories(call?.messages ?? []);
    expect(mems.map((m) => m.id)).toContain(pixel);
    expect(mems.find((m) => m.id === pixel)?.line).toMatch(
      /^\(\d{4}-\d{2}-\d{2}\) Maya's cat is called Pixel/,
    );
    expect(call?.messages.at(-1)).toEqual({ role: "user", content: "What is my cat called?" });
    // The result lists the same memories, numbered as in the prompt.
    expect(r.memories.map((m) => [m.index, m.memoryId])).toEqual(mems.map((m) => [m.index, m.id]));
  });

  it("returns citations mapped to real memory ids and drops an invented one", async () => {
    const r = await mos.chat("What is my cat called?", { sessionId: "cite" });
    expect(r.answer).toContain("Pixel");
    expect(r.citations).toHaveLength(1);
    const [c] = r.citations;
    expect(c?.memoryId).toBe(pixel);
    expect(c?.cubeId).toBe("maya/default");
    expect(r.memories.find((m) => m.index === c?.index)?.memoryId).toBe(pixel);
    expect((await mos.get(c?.memoryId as string)).memory.memory).toContain("Pixel");
    expect(r.droppedCitations).toEqual([
      expect.objectContaining({
        memoryId: "00000000-fake-fake-fake-000000000000",
        index: 7,
        reason: expect.any(String),
      }),
    ]);
  });

  it("streams deltas and resolves the result after the last one", async () => {
    const s = await mos.chat("What is my cat called?", { sessionId: "stream", stream: true });
    expect(s.memories.map((m) => m.memoryId)).toContain(pixel);
    const deltas: string[] = [];
    for await (const d of s.textStream) deltas.push(d);
    expect(deltas.length).toBeGreaterThan(3);
    const r = await s.result;
    expect(deltas.join("")).toBe(r.answer);
    expect(r.citations.map((c) => c.memoryId)).toEqual([pixel]);
    expect(llm.calls.at(-1)?.method).toBe("stream");
  });

  it("a stream abandoned before its end rejects the result", async () => {
    const s = await mos.chat("What is my cat called?", { sessionId: "abandon", stream: true });
    for await (const _ of s.textStream) break;
    await expect(s.result).rejects.toThrow(/closed before the answer ended/);
  });

  it("keeps a per-session history, sends it with the next turn, and clears it", async () => {
    await mos.chat("First question", { sessionId: "h" });
    await mos.chat("Second question", { sessionId: "h" });
    const sent = llm.calls.at(-1)?.messages ?? [];
    expect(sent.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(sent[1]?.content).toBe("First question");
    expect(mos.chatHistory({ sessionId: "h" }).map((m) => m.content)).toHaveLength(4);
    // Other sessions and users are separate.
    expect(mos.chatHistory({ sessionId: "other" })).toEqual([]);
    expect(mos.chatHistory({ userId: "sam", sessionId: "h" })).toEqual([]);
    expect(mos.clearChatHistory("maya", "h")).toBe(4);
    await mos.chat("Third question", { sessionId: "h" });
    expect(llm.calls.at(-1)?.messages.map((m) => m.role)).toEqual(["system", "user"]);
  });

  it("bounds the history window", async () => {
    for (let i = 0; i < 5; i++) await mos.chat(`Question ${i}`, { sessionId: "window", historyTurns: 2 });
    expect(
      mos
        .chatHistory({ sessionId: "window", turns: 100 })
        .map((m) => m.content)
        .filter((c) => c.startsWith("Question")),
    ).toEqual(["Question 3", "Question 4"]);
  });

  it("writes the turn back into the user's default cube when asked", async () => {
    const r = await mos.chat("What is my cat called?", { sessionId: "wb", writeBack: true });
    expect(r.written.length).toBeGreaterThan(0);
    expect(r.written[0]?.memory).toContain("What is my cat called?");
    // Citation tags are not stored.
    expect(r.written.map((i) => i.memory).join("\n")).not.toMatch(/\[\d+:/);
    expect(r.written[0]?.metadata.session_id).toBe("wb");
    expect((await mos.get(r.written[0]?.id as string)).cube_id).toBe("maya/default");
  });

  it("a guest's write-back is skipped with a warning; the answer stands", async () => {
    mos.shareCubeWithUser("maya/default", { targetUser: "gus" });
    const r = await mos.chat("What is my cat called?", { userId: "gus", writeBack: true });
    expect(r.answer).toContain("Pixel");
    expect(r.written).toEqual([]);
    expect(r.warnings.join("\n")).toMatch(/write-back skipped: guest "gus" may not write/);
    mos.unshareCube("maya/default", { targetUser: "gus" });
  });

  it("chat only sees cubes the user may read", async () => {
    const r = await mos.chat("What is my cat called?", { userId: "sam" });
    expect(r.memories.every((m) => m.cubeId === "sam/default")).toBe(true);
    expect(llm.calls.at(-1)?.messages[0]?.content).not.toContain("Pixel");
    expect(r.answer).toBe("I do not know.");
  });

  it("without an LLM, chat is a ConfigError saying how to configure one", async () => {
    const bare = MOS.fromHome(mos.home);
    const error = await bare.chat("hello").catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).hint).toMatch(/MEMOS_LLM=/);
    await bare.close();
  });
});

describe("citations and prompt", () => {
  const item = (id: string) => ({
    id,
    memory: `memory ${id}`,
    metadata: { sources: [], created_at: "2025-05-08T10:00:00.000Z" } as never,
  });
  const memories = [1, 2].map((i) => ({ index: i, memoryId: `m-${i}`, cubeId: "c", item: item(`m-${i}`) }));

  it("parses single and grouped citations, corrects numbers by id, dedupes, ignores times", () => {
    const r = parseCitations("A [1:m-1]. B [1:m-2, 2:m-1]. At [10:30] C [3:m-x].", memories);
    expect(r.citations).toEqual([
      { index: 1, memoryId: "m-1", cubeId: "c" },
      { index: 2, memoryId: "m-2", cubeId: "c" },
    ]);
    expect(r.dropped.map((d) => d.text)).toEqual(["[3:m-x]"]);
    expect(stripCitations("Hi [1:m-1]. Bye [1:m-2, 2:m-1].")).toBe("Hi. Bye.");
  });

  it("a base prompt with {memories} gets the block there", () => {
    const p = buildSystemPrompt({
      base: "Be brief.\n{memories}\nEnd.",
      memories,
      now: new Date("2025-01-02T00:00:00Z"),
    });
    expect(p).toMatch(
      /^Be brief\.\n# Memories\nToday is 2025-01-02\.\n\[1:m-1\] \(2025-05-08\) memory m-1\n/,
    );
    expect(p.endsWith("End.")).toBe(true);
    expect(buildSystemPrompt({ memories: [] })).toContain("(no memories relevant to this message)");
  });
});

describe("MOS.simple", () => {
  it("initialises MEMOS_HOME from the environment alone", async () => {
    const t = tempDir("memos-simple-");
    const mos = await MOS.simple({ MEMOS_HOME: `${t.dir}/home`, MEMOS_USER: "zoe" });
    expect(mos.userId).toBe("zoe");
    expect(mos.llm).toBeUndefined();
    expect(mos.listUsers()).toMatchObject([{ user_id: "zoe", role: "root", default_cube: "zoe/default" }]);
    await mos.add({ memoryContent: "Zoe plays the cello" });
    const found = await mos.search({ query: "cello" });
    expect(found).toMatchObject({ act_mem: [], para_mem: [], pref_mem: [] });
    expect(found.text_mem[0]?.memories[0]?.memory).toBe("Zoe plays the cello");
    expect(found.text_mem[0]?.memories[0]?.metadata).toHaveProperty("relativity");
    await mos.close();
    // Opening it again finds the same home.
    const again = await MOS.simple({ MEMOS_HOME: `${t.dir}/home` });
    expect(again.userId).toBe("zoe");
    await again.close();
    t.cleanup();
  });
});
