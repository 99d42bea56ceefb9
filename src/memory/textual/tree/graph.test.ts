/**
 * Versions, dump/load with edges, the MemOS tree export, the reorganizer hook on add and
 * reorganize() / getRelevantSubgraph through TreeTextMemory, and search packing windows for a
 * question that names a speaker.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../../../core/errors/not-found-error.js";
import { checkGraphConsistency, PROMPT_MARKERS } from "../../../organize/index.js";
import { FastMemReader } from "../../../reader/index.js";
import { createScriptedLanguageModel } from "../../../testing/scripted-language-model.js";
import { newTree } from "./test-helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "memos-tree-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const memosTreeCube = new URL("../../../../test/fixtures/memos-tree-cube", import.meta.url).pathname;

describe("TreeTextMemory versions", () => {
  it("update keeps history; rollback restores an earlier text as a new version", async () => {
    const mem = await newTree();
    const [item] = await mem.add(["Lia lives in Lyon"]);
    const id = item?.id as string;
    await mem.update(id, { memory: "Lia lives in Nantes" });
    await mem.update(id, { memory: "Lia lives in Brest" });
    const restored = await mem.rollback(id, 1);
    expect(restored.memory).toBe("Lia lives in Lyon");
    expect(restored.metadata.version).toBe(4);
    const h = await mem.history(id);
    expect(h.history.map((e) => [e.version, e.memory, e.update_type])).toEqual([
      [1, "Lia lives in Lyon", "update"],
      [2, "Lia lives in Nantes", "update"],
      [3, "Lia lives in Brest", "rollback"],
    ]);
    // The vector follows the text: the restored text is what search finds.
    const [top] = await mem.search("Lia lives in Lyon", { topK: 1 });
    expect(top?.item.id).toBe(id);
    await expect(mem.rollback(id, 9)).rejects.toThrow(NotFoundError);
  });
});

describe("TreeTextMemory dump / load", () => {
  it("round-trips nodes and edges", async () => {
    const mem = await newTree();
    const added = await mem.addMessages(
      [
        { role: "user", content: "We hiked up the ridge at dawn", chat_time: "2024-06-01T05:00:00Z" },
        { role: "assistant", content: "How was the view from the top?", chat_time: "2024-06-01T05:05:00Z" },
      ],
      { sessionId: "trip" },
    );
    const [a, b] = await mem.add(["Mo bought hiking boots", "Mo's boots gave him blisters"]);
    await mem.store.addEdges([{ source: a?.id as string, target: b?.id as string, type: "CAUSE" }]);
    expect(added.length).toBeGreaterThan(0);
    const before = await mem.store.exportAll();
    expect(before.edges.length).toBeGreaterThan(0);
    const dir = join(tmp, "dump");
    await mem.dump(dir);

    const copy = await newTree();
    expect(await copy.load(dir)).toBe(before.nodes.length);
    const after = await copy.store.exportAll();
    const key = (e: { source: string; target: string; type: string }) => `${e.source}>${e.type}>${e.target}`;
    expect(after.edges.map(key).sort()).toEqual(before.edges.map(key).sort());
    expect(after.nodes.map((n) => [n.id, n.memory, n.metadata.memory_type]).sort()).toEqual(
      before.nodes.map((n) => [n.id, n.memory, n.metadata.memory_type]).sort(),
    );
    expect((await checkGraphConsistency(copy.store)).ok).toBe(true);
    // Working memory survives too (its copies are nodes).
    expect((await copy.workingMemory()).map((w) => w.id)).toEqual(
      (await mem.workingMemory()).map((w) => w.id),
    );
  });

  it("loads MemOS's tree export (WorkingMemory copies without a source link, encoded sources, edges)", async () => {
    const mem = await newTree();
    expect(await mem.load(memosTreeCube)).toBe(4);
    const data = await mem.store.exportAll();
    expect(data.edges).toHaveLength(1);
    const user = await mem.getAll({ filter: { memory_type: "UserMemory" } });
    expect(user).toHaveLength(2);
    expect(user[0]?.metadata.sources[0]?.chat_time).toBe("08:51 PM on 13 January, 2026");
    // MemOS's WorkingMemory nodes stand for themselves in working memory.
    expect(await mem.workingMemory()).toHaveLength(2);
    // Search returns each text once (the copy and its twin are merged by text).
    const hits = await mem.search("memory persistence demonstration", { topK: 10 });
    expect(hits.length).toBeGreaterThan(0);
    expect(new Set(hits.map((h) => h.item.memory)).size).toBe(hits.length);
  });
});

describe("TreeTextMemory reorganizer hook", () => {
  const llm = () =>
    createScriptedLanguageModel([
      { match: PROMPT_MARKERS.pair, reply: { relation: "redundant", reason: "same fact" } },
      {
        match: PROMPT_MARKERS.merge,
        reply: { memory: "Noa drinks green tea every morning.", key: "Noa's tea", tags: ["tea"] },
      },
      { match: PROMPT_MARKERS.summary, reply: { memory: "Noa's drinks.", key: "drinks", tags: ["tea"] } },
      { match: PROMPT_MARKERS.relations, reply: { relations: [] } },
    ]);

  it("merges a redundant pair on add; working memory holds the merged node", async () => {
    const mem = await newTree({ llm: llm() });
    const [first] = await mem.add(["Noa drinks green tea every morning"]);
    const second = await mem.add(["every morning Noa drinks a green tea"]);
    const report = second.report.reorganize;
    expect(report?.merged).toBe(1);
    const mergedId = report?.createdIds[0] as string;
    for (const id of [first?.id as string, second[0]?.id as string]) {
      const original = await mem.get(id);
      expect(original.metadata.status).toBe("archived");
      expect(await mem.store.getEdges(id, { direction: "out", types: ["MERGED_TO"] })).toEqual([
        expect.objectContaining({ target: mergedId }),
      ]);
    }
    expect((await mem.get(mergedId)).memory).toBe("Noa drinks green tea every morning.");
    expect((await mem.workingMemory()).map((w) => w.id)).toEqual([mergedId]);
    expect((await checkGraphConsistency(mem.store)).ok).toBe(true);
    const hits = await mem.search("what does Noa drink in the morning", { topK: 3 });
    expect(hits[0]?.item.id).toBe(mergedId);
  });

  it("without an LLM, exact duplicates are merged; reorganize: false leaves them", async () => {
    const mem = await newTree();
    await mem.add(["Pia plays the cello"]);
    const dup = await mem.add(["Pia plays the cello"]);
    expect(dup.report.reorganize?.duplicates).toBe(1);
    expect(await mem.store.count({ status: "activated", memory_type: "LongTermMemory" })).toBe(1);

    const off = await newTree({ reorganize: false });
    await off.add(["Pia plays the cello"]);
    const kept = await off.add(["Pia plays the cello"]);
    expect(kept.report.reorganize).toBeUndefined();
    expect(await off.store.count({ status: "activated", memory_type: "LongTermMemory" })).toBe(2);
  });

  it("reorganize() writes topic parents; getRelevantSubgraph walks the edges", async () => {
    const mem = await newTree({ llm: llm(), reorganize: false });
    await mem.add(["Noa drinks green tea", "Noa drinks green tea at noon", "Noa drinks green tea at night"]);
    const structure = await mem.reorganize({ minClusterSize: 2, clusterThreshold: 0.5 });
    expect(structure.parentIds.length).toBeGreaterThan(0);
    const sub = await mem.getRelevantSubgraph("green tea", 1);
    expect(sub.edges.some((e) => e.type === "PARENT")).toBe(true);
    expect(sub.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(structure.parentIds));
  });

  it("reorganize() keeps capacities: a summary over capacity archives the least valuable memory", async () => {
    const mem = await newTree({ llm: llm(), reorganize: false, capacities: { longTerm: 3 } });
    await mem.add(["Noa drinks green tea", "Noa drinks green tea at noon", "Noa drinks green tea at night"]);
    const structure = await mem.reorganize({ minClusterSize: 2, clusterThreshold: 0.5 });
    expect(structure.parentIds.length).toBeGreaterThan(0);
    expect(structure.evicted).toHaveLength(structure.parentIds.length);
    expect(await mem.store.count({ status: "activated", memory_type: "LongTermMemory" })).toBe(3);
    // Archived, not deleted.
    expect(await mem.store.count({ memory_type: "LongTermMemory" })).toBe(3 + structure.parentIds.length);
  });
});

describe("TreeTextMemory search, a question naming a speaker", () => {
  it("returns windows cut to that speaker's turns (with the questions put to them), and keeps the query as asked", async () => {
    const mem = await newTree({ reader: new FastMemReader({ granularity: "window" }) });
    const said = (speaker: string, content: string, minute: number) => ({
      role: speaker === "Mo" ? "user" : "assistant",
      speaker,
      content,
      chat_time: `2024-06-01T10:${String(minute).padStart(2, "0")}:00Z`,
    });
    await mem.addMessages(
      [
        said("Lia", "Did you finish the ridge hike?", 0),
        said("Mo", "Yes, we hiked the ridge at dawn with my brother.", 1),
        said("Lia", "Lovely. I baked bread all morning.", 2),
        said("Lia", "The bread came out great.", 3),
      ],
      { sessionId: "s1" },
    );
    const [top] = await mem.search("Where did Mo hike?", { topK: 1 });
    expect(top?.item.memory).toContain("Mo: Yes, we hiked the ridge");
    expect(top?.item.memory).toContain("Lia: Did you finish the ridge hike?");
    expect(top?.item.memory).not.toContain("bread");
    const whole = await mem.get(top?.item.id as string);
    expect(whole.memory).toContain("bread");
    // Recall reads past the question's frame; the result and the usage record keep what was asked.
    const asked = "What kind of hike did Mo do?";
    const detailed = await mem.searchDetailed(asked, { topK: 1 });
    expect(detailed.query.original).toBe(asked);
    const used = await mem.get(detailed.hits[0]?.item.id as string);
    expect(JSON.stringify(used.metadata.usage)).toContain(asked);
  });
});
