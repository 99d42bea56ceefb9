/**
 * Fast → fine upgrade through TreeTextMemory with a scripted LLM: upgraded fast nodes are
 * soft-deleted with evolve_to set (nothing lost), nodes the model fails on stay as they are, and
 * working memory follows the successors.
 */
import { describe, expect, it } from "vitest";
import { PROMPT_MARKERS } from "../../../organize/index.js";
import type { ChatMessage } from "../../../reader/index.js";
import { FastMemReader } from "../../../reader/index.js";
import { fineExtraction } from "../../../scheduler/testing/scripted-models.js";
import { createScriptedLanguageModel } from "../../../testing/scripted-language-model.js";
import { FAST_TAG } from "./index.js";
import { holderOf, newTree } from "./test-helpers.js";

const model = () =>
  createScriptedLanguageModel([
    { match: "FAILME", reply: "this is not JSON" },
    { match: "Extract the memories.", reply: (m) => fineExtraction(m, "said") },
    { match: PROMPT_MARKERS.pair, reply: { relation: "independent", reason: "different facts" } },
    { match: /^Query: /, reply: { rephrased_query: "what does Ida grow", keys: ["Ida"], tags: ["garden"] } },
  ]);

const chat = (session: string, lines: string[]): ChatMessage[] =>
  lines.map((content, i) => ({
    role: i % 2 === 0 ? "user" : "assistant",
    speaker: i % 2 === 0 ? "Ida" : "Jon",
    content,
    chat_time: `2024-03-0${session}T10:0${i}:00Z`,
    message_id: `s${session}:${i}`,
  }));

describe("TreeTextMemory.upgradeFastNodes", () => {
  it("replaces fast nodes by fine successors, soft-deleting each with evolve_to; failures stay", async () => {
    const mem = await newTree({
      llm: model(),
      reader: new FastMemReader({ granularity: "window", windowTokens: 48, overlapTokens: 0 }),
      capacities: { working: 50 },
    });
    const s1 = await mem.addMessages(
      chat("1", ["I grow tomatoes in my garden", "Do they need much water?", "Every evening in summer"]),
      { sessionId: "s1" },
    );
    const s2 = await mem.addMessages(chat("2", ["FAILME this window confuses the model"]), {
      sessionId: "s2",
    });
    const fast = [...s1, ...s2];
    expect(fast.every((f) => f.metadata.tags.includes(FAST_TAG))).toBe(true);

    const report = await mem.upgradeFastNodes();
    expect(report.candidates).toBe(fast.length);
    expect(report.upgraded.map((u) => u.from).sort()).toEqual(s1.map((f) => f.id).sort());
    expect(report.untouched).toEqual(s2.map((f) => f.id));

    for (const { from, to } of report.upgraded) {
      const node = await mem.get(from);
      expect(node.metadata.status).toBe("deleted");
      expect(node.metadata.evolve_to).toEqual(to);
      expect(node.metadata.version).toBe(2);
      expect(node.metadata.history.at(-1)).toMatchObject({
        update_type: "upgrade",
        version: 1,
        memory: node.memory,
      });
      const successors = await mem.getMany(to);
      expect(successors).toHaveLength(to.length);
      expect(
        successors.every((s) => s.metadata.status === "activated" && s.metadata.tags.includes("mode:fine")),
      ).toBe(true);
      // Nothing lost: every message of the fast node is a source of some successor.
      const messageIds = new Set(successors.flatMap((s) => s.metadata.sources.map((src) => src.message_id)));
      for (const src of node.metadata.sources) expect(messageIds.has(src.message_id)).toBe(true);
      expect((await holderOf(mem.store, from))?.id).toBeDefined();
    }
    const failed = await mem.get(s2[0]?.id as string);
    expect(failed.metadata.status).toBe("activated");
    expect(failed.metadata.version).toBe(1);

    // Working memory follows the successors; no deleted node is in it.
    const working = await mem.workingMemory();
    expect(working.some((w) => w.metadata.status !== "activated")).toBe(false);
    expect(working.map((w) => w.id)).toContain(report.upgraded[0]?.to[0]);
    expect(working.map((w) => w.id)).toContain(s2[0]?.id);

    // A second run finds only the node that failed, and leaves it again.
    const again = await mem.upgradeFastNodes();
    expect(again.candidates).toBe(1);
    expect(again.untouched).toEqual([s2[0]?.id]);

    // Fine search still finds the fast-mode memory (fast and fine memories side by side).
    const hits = await mem.search("what confuses the model", { mode: "fine", topK: 5 });
    expect(hits.map((h) => h.item.id)).toContain(s2[0]?.id);
  });

  it("autoUpgrade upgrades a fast add at once; fine mode without an LLM is a ConfigError", async () => {
    const mem = await newTree({ llm: model(), autoUpgrade: true });
    const added = await mem.addMessages(chat("3", ["I grow basil on the balcony"]), { sessionId: "s3" });
    expect(added.report.upgrade?.upgraded).toHaveLength(1);
    expect((await mem.get(added[0]?.id as string)).metadata.status).toBe("deleted");

    const plain = await newTree();
    await expect(plain.addMessages(chat("4", ["hello"]), { mode: "fine" })).rejects.toThrow(/needs an LLM/);
    await expect(plain.search("hello", { mode: "fine" })).rejects.toThrow(/needs an LLM/);
    await expect(plain.upgradeFastNodes()).rejects.toMatchObject({
      code: "config",
      message: expect.stringContaining("upgrading fast nodes"),
      hint: expect.stringContaining("MEMOS_LLM"),
    });
  });

  it("fine mode adds extracted memories directly", async () => {
    const mem = await newTree({ llm: model() });
    const added = await mem.addMessages(chat("5", ["I grow peppers", "Nice"]), {
      mode: "fine",
      sessionId: "s5",
    });
    expect(added.report.mode).toBe("fine");
    expect(added.map((a) => a.memory)).toEqual(["Ida said: I grow peppers", "Jon said: Nice"]);
    expect(added.every((a) => a.metadata.tags.includes("mode:fine"))).toBe(true);
    expect(added.report).toMatchObject({ fineFallbacks: 0, warnings: [] });

    // A window the model fails on is kept as fast items, and the add says so.
    const failed = await mem.addMessages(chat("6", ["FAILME please"]), { mode: "fine", sessionId: "s6" });
    expect(failed.map((f) => f.metadata.tags.includes(FAST_TAG))).toEqual([true]);
    expect(failed.report.fineFallbacks).toBe(1);
    expect(failed.report.warnings[0]).toMatch(/fell back to fast items for 1 window/);
  });
});
