/**
 * Robustness of the whole tree memory on a random-weight GGUF under grammar-constrained JSON:
 * fine reading, fast → fine upgrade and the reorganizer all ask the model, and whatever it says
 * (junk JSON, failures, repair retries) every input message stays reachable from an activated
 * memory (directly, via MERGED_TO or via evolve_to) and the graph stays consistent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf } from "../../../../scripts/make-test-gguf.js";
import type { MemoryStore } from "../../../core/interfaces/store.js";
import { checkGraphConsistency, PROMPT_MARKERS } from "../../../organize/index.js";
import { createLlamaCpp, type LlamaCppLanguageModel } from "../../../providers/llama-cpp/index.js";
import type { ChatMessage } from "../../../reader/index.js";
import { FastMemReader } from "../../../reader/index.js";
import { createSqliteMemoryStore } from "../../../storage/sqlite/index.js";
import { createScriptedLanguageModel } from "../../../testing/scripted-language-model.js";
import { TreeTextMemory } from "./index.js";
import { bagOfWordsEmbedder, holderOf } from "./test-helpers.js";

const session = (day: number, lines: string[]): ChatMessage[] =>
  lines.map((content, i) => ({
    role: i % 2 === 0 ? "user" : "assistant",
    speaker: i % 2 === 0 ? "Rui" : "Sam",
    content,
    chat_time: `2024-04-0${day}T09:0${i}:00Z`,
    message_id: `d${day}:${i}`,
  }));

const FINE = session(1, [
  "I drink green tea every morning before work",
  "Green tea every morning, nice",
  "Yes, green tea before work",
]);
const FAST = session(2, [
  "I drink green tea every morning at work now",
  "Do you still drink it before work?",
  "No, green tea at work only",
]);

/**
 * Every message is the source of some node whose content an activated memory holds (or, with
 * small capacities, a memory archived by eviction: kept, not searched); the graph is consistent.
 */
async function assertNothingLost(
  store: MemoryStore,
  messages: ChatMessage[],
  acceptEvicted = false,
): Promise<void> {
  const nodes = (await store.exportAll()).nodes.filter((n) => n.metadata.memory_type !== "WorkingMemory");
  for (const m of messages) {
    const carriers = nodes.filter((n) =>
      n.metadata.sources.some((s) => s.message_id === m.message_id && s.content === m.content),
    );
    expect(carriers.length, `message ${m.message_id} has a carrier`).toBeGreaterThan(0);
    const holders = await Promise.all(carriers.map((c) => holderOf(store, c.id, { acceptEvicted })));
    expect(
      holders.some((h) => h !== null),
      `message ${m.message_id} reachable`,
    ).toBe(true);
  }
  const consistency = await checkGraphConsistency(store);
  expect(consistency.problems).toEqual([]);
}

describe.sequential("tree memory robustness on a random-weight GGUF", () => {
  let llm: LlamaCppLanguageModel;
  beforeAll(async () => {
    llm = createLlamaCpp({
      modelPath: cachedTestGguf().modelFile,
      threads: 1,
      gpu: false,
      contextSize: 1024,
      maxTokens: 64,
    });
    await llm.load();
  });
  afterAll(async () => {
    await llm?.dispose();
  });

  it("fine add, fast add + upgrade, reorganize: every message reachable, graph consistent", async () => {
    const started = Date.now();
    const store = await createSqliteMemoryStore({ path: ":memory:" });
    const mem = new TreeTextMemory({
      store,
      embedder: bagOfWordsEmbedder(),
      llm,
      reader: new FastMemReader({ windowTokens: 40, overlapTokens: 0 }),
      // The reader passes maxTokens per call, so it is capped here too.
      fine: { windowTokens: 256, maxTokens: 64, concurrency: 1 },
      reorganizer: { threshold: 0.5, maxNeighbours: 1, generateOptions: { temperature: 0, maxTokens: 64 } },
      capacities: { working: 4 },
    });
    const fine = await mem.addMessages(FINE, { mode: "fine", sessionId: "d1" });
    const fast = await mem.addMessages(FAST, { sessionId: "d2" });
    const upgrade = await mem.upgradeFastNodes();
    const structure = await mem.reorganize({ minClusterSize: 2, clusterThreshold: 0.5 });

    await assertNothingLost(store, [...FINE, ...FAST]);
    // Upgraded fast nodes are soft-deleted with live successors; the rest are untouched.
    for (const { from, to } of upgrade.upgraded) {
      const node = await mem.get(from);
      expect(node.metadata.status).toBe("deleted");
      expect(node.metadata.evolve_to).toEqual(to);
    }
    for (const id of upgrade.untouched) expect((await mem.get(id)).metadata.status).not.toBe("deleted");
    // Working memory only holds activated memories.
    expect((await mem.workingMemory()).every((w) => w.metadata.status === "activated")).toBe(true);
    console.log(
      `tree gguf robustness: fine add ${fine.length} items (mode:fine ${fine.filter((i) => i.metadata.tags.includes("mode:fine")).length}), ` +
        `fast add ${fast.length}, upgraded ${upgrade.upgraded.length}/${upgrade.candidates}, ` +
        `reorganize: merged ${(fine.report.reorganize?.merged ?? 0) + (fast.report.reorganize?.merged ?? 0)}, ` +
        `failures ${(fine.report.reorganize?.failures ?? 0) + (fast.report.reorganize?.failures ?? 0)}, ` +
        `parents ${structure.parentIds.length}, warnings ${[...fine.report.warnings, ...fast.report.warnings, ...upgrade.warnings].length}, ` +
        `${Date.now() - started} ms`,
    );
    await store.close();
  }, 120_000);

  it("seeded chaos model (valid, junk and failing answers) over several adds", async () => {
    let state = 7;
    const rand = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const junk = () => (rand() < 0.5 ? "not json at all" : '{"memories": [{"key": 1}]}');
    const lines = (prompt: string) =>
      (prompt.split("Conversation:\n")[1] ?? "").split("\n").filter((l) => /^\S[^:]*: /.test(l));
    const chaos = createScriptedLanguageModel([
      {
        match: () => true,
        reply: (messages) => {
          const prompt = messages.at(-1)?.content ?? "";
          const roll = rand();
          if (prompt.includes("Extract the memories.")) {
            if (roll < 0.3) return junk();
            if (roll < 0.4) return { memories: [], background: "" };
            return {
              memories: lines(prompt).map((l, i) => ({
                key: `fact ${i}`,
                memory_type: i % 2 ? "LongTermMemory" : "UserMemory",
                value: `Rui noted: ${l}`,
                tags: ["tea"],
              })),
              background: "Tea habits.",
            };
          }
          if (prompt.startsWith(PROMPT_MARKERS.pair)) {
            if (roll < 0.2) return junk();
            return {
              relation: (["redundant", "contradictory", "independent"] as const)[Math.floor(rand() * 3)],
              reason: "chaos",
            };
          }
          if (prompt.startsWith(PROMPT_MARKERS.merge) || prompt.startsWith(PROMPT_MARKERS.summary)) {
            return roll < 0.2 ? junk() : { memory: "Rui drinks green tea.", key: "tea", tags: ["tea"] };
          }
          if (prompt.startsWith(PROMPT_MARKERS.relations))
            return roll < 0.3 ? junk() : { relations: [{ source: 1, target: 2, relation: "RELATE_TO" }] };
          return junk();
        },
      },
    ]);
    const store = await createSqliteMemoryStore({ path: ":memory:" });
    const mem = new TreeTextMemory({
      store,
      embedder: bagOfWordsEmbedder(),
      llm: chaos,
      reader: new FastMemReader({ windowTokens: 40, overlapTokens: 0 }),
      fine: { windowTokens: 64, overlapTokens: 0 },
      reorganizer: { threshold: 0.4, maxNeighbours: 3 },
      capacities: { working: 3, longTerm: 6, user: 4 },
    });
    const all: ChatMessage[] = [];
    for (let day = 1; day <= 6; day++) {
      const msgs = session(day, [
        `I drink green tea at ${day} pm`,
        `Green tea at ${day} pm again?`,
        `Yes, tea at ${day} pm daily`,
      ]);
      all.push(...msgs);
      const added = await mem.addMessages(msgs, { mode: day % 2 ? "fine" : "fast", sessionId: `d${day}` });
      expect(added.length).toBeGreaterThan(0);
      if (day % 3 === 0) await mem.upgradeFastNodes();
      await assertNothingLost(store, all, true);
    }
    await mem.reorganize({ minClusterSize: 2, clusterThreshold: 0.4 });
    await assertNothingLost(store, all, true);
    // The run went through every kind of change.
    const final = (await store.exportAll()).nodes;
    const lastChange = (type: string) =>
      final.filter((n) => n.metadata.history.at(-1)?.update_type === type).length;
    console.log(
      `chaos: upgrade ${lastChange("upgrade")}, merge ${lastChange("merge")}, evicted ${lastChange("evicted")}, conflict ${lastChange("conflict")}, invalid ${final.filter((n) => n.metadata.invalid_at).length}, nodes ${final.length}`,
    );
    expect(lastChange("upgrade")).toBeGreaterThan(0);
    expect(lastChange("merge") + lastChange("evicted")).toBeGreaterThan(0);
    expect(final.some((n) => n.metadata.invalid_at)).toBe(true);
    // Capacities hold, and eviction archived (never deleted): nothing vanished from the store.
    expect(await store.count({ status: "activated", memory_type: "LongTermMemory" })).toBeLessThanOrEqual(6);
    expect(await store.count({ status: "activated", memory_type: "UserMemory" })).toBeLessThanOrEqual(4);
    expect(await store.count({ status: "activated", memory_type: "WorkingMemory" })).toBeLessThanOrEqual(3);
    await store.close();
  });
});
