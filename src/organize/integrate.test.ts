import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageError } from "../core/errors/storage-error.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import { createScriptedLanguageModel, type ScriptedRule } from "../testing/scripted-language-model.js";
import { checkGraphConsistency, resolveMerged } from "./consistency.js";
import { PROMPT_MARKERS } from "./prompts.js";
import { MemoryReorganizer } from "./reorganizer.js";
import { edgesOf, item, newStore, put, tableEmbedder, vec } from "./test-helpers.js";

const T1 = "2024-01-01T00:00:00.000Z";
const T2 = "2024-02-01T00:00:00.000Z";
const T3 = "2024-03-01T00:00:00.000Z";

/** A rule answering the pair question (A is the existing memory, B the one being integrated). */
function pairRule(relation: string, reason = "because"): ScriptedRule {
  return { match: PROMPT_MARKERS.pair, reply: { relation, reason } };
}

describe("MemoryReorganizer.integrate", () => {
  let store: MemoryStore;
  beforeEach(async () => {
    store = await newStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it("merges an exact duplicate into the older node without asking the LLM", async () => {
    const embedder = tableEmbedder({});
    const llm = createScriptedLanguageModel([]);
    const old = item("Alice likes green tea.", T1, {
      tags: ["tea"],
      sources: [{ role: "user", content: "I like green tea" }],
      valid_at: T2,
      usage: [{ time: T2, query: "tea?" }],
    });
    const dup = item("  alice likes GREEN tea. ", T3, {
      tags: ["drinks"],
      sources: [{ role: "user", content: "green tea is my favourite" }],
      valid_at: T1,
    });
    await put(store, embedder, [old, dup]);
    const report = await new MemoryReorganizer({ store, embedder, llm }).integrate([dup]);

    expect(llm.calls).toHaveLength(0);
    expect(report).toMatchObject({
      processed: 1,
      compared: 1,
      duplicates: 1,
      merged: 0,
      failures: 0,
      archivedIds: [dup.id],
    });
    expect(report.decisions[0]).toMatchObject({
      kind: "duplicate",
      id: dup.id,
      otherId: old.id,
      resultId: old.id,
    });
    const survivor = await store.getItem(old.id);
    expect(survivor?.metadata).toMatchObject({
      status: "activated",
      version: 2,
      tags: ["tea", "drinks"],
      valid_at: T1,
      usage: [{ time: T2, query: "tea?" }],
    });
    expect(survivor?.memory).toBe("Alice likes green tea.");
    expect(survivor?.metadata.sources.map((s) => s.content)).toEqual([
      "I like green tea",
      "green tea is my favourite",
    ]);
    expect(survivor?.metadata.history).toEqual([
      expect.objectContaining({
        version: 1,
        memory: old.memory,
        update_type: "merge",
        archived_memory_id: dup.id,
      }),
    ]);
    const archived = await store.getItem(dup.id);
    expect(archived?.metadata).toMatchObject({ status: "archived", version: 2 });
    expect(archived?.metadata.history).toEqual([
      expect.objectContaining({ version: 1, update_type: "merge", merged_into: old.id }),
    ]);
    expect(await edgesOf(store)).toEqual([`${dup.id}>MERGED_TO>${old.id}`]);
    expect(await checkGraphConsistency(store)).toEqual({ ok: true, problems: [] });
  });

  it("merges a near-duplicate (cosine >= 0.97) without an LLM and keeps a 0.9 neighbour", async () => {
    const a = item("Bob runs every morning", T1);
    const b = item("Bob runs each morning", T2);
    const c = item("Bob jogs in the park", T1);
    const embedder = tableEmbedder({
      [a.memory]: vec(1, 0, 0),
      [b.memory]: vec(1, 0.2, 0), // cos(a, b) = 0.98
      [c.memory]: vec(1, 0, 0.5), // cos(a, c) = 0.89, cos(b, c) = 0.88
    });
    await put(store, embedder, [a, c, b]);
    const reorg = new MemoryReorganizer({ store, embedder });
    const report = await reorg.integrate([b]);
    // b is merged away at its first (closest) comparison, so it is not compared with c.
    expect(report).toMatchObject({ compared: 1, duplicates: 1, failures: 0 });
    expect((await store.getItem(a.id))?.metadata).toMatchObject({ status: "activated", version: 2 });
    expect((await store.getItem(b.id))?.metadata).toMatchObject({ status: "archived", version: 2 });
    expect(await edgesOf(store)).toEqual([`${b.id}>MERGED_TO>${a.id}`]);

    const second = await reorg.integrate([c]);
    expect(second).toMatchObject({ compared: 1, duplicates: 0, independent: 1 });
    expect((await store.getItem(c.id))?.metadata).toMatchObject({ status: "activated", version: 1 });
    expect((await store.getItem(a.id))?.metadata.version).toBe(2);
  });

  it("collapses a batch of identical memories into the oldest, comparing each pair once", async () => {
    const embedder = tableEmbedder({});
    const items = [T3, T1, T2, "2024-04-01T00:00:00.000Z"].map((t) => item("Carol owns a cat.", t));
    await put(store, embedder, items);
    const report = await new MemoryReorganizer({ store, embedder }).integrate(items);
    const oldest = items[1]?.id as string;
    expect(report.duplicates).toBe(3);
    expect(await store.count({ status: "activated" })).toBe(1);
    expect((await store.getItem(oldest))?.metadata.status).toBe("activated");
    // Search ties decide who meets whom first; whatever the order, each leads to the oldest.
    for (const it of items) expect((await resolveMerged(store, it.id))?.id).toBe(oldest);
    expect(await edgesOf(store, "MERGED_TO")).toHaveLength(3);
    expect((await checkGraphConsistency(store)).ok).toBe(true);
  });

  it("only compares memories of the same memory_type", async () => {
    const embedder = tableEmbedder({});
    const a = item("Dan likes jazz.", T1, { memory_type: "UserMemory" });
    const b = item("Dan likes jazz.", T2, { memory_type: "LongTermMemory" });
    await put(store, embedder, [a, b]);
    const report = await new MemoryReorganizer({ store, embedder }).integrate([b]);
    expect(report.compared).toBe(0);
    expect(await store.count({ status: "activated" })).toBe(2);
  });

  describe("with an LLM", () => {
    const a = item("Eve drinks green tea every morning.", T1, {
      tags: ["tea"],
      valid_at: T2,
      session_id: "s1",
      sources: [{ role: "user", content: "tea each morning" }],
    });
    const b = item("Every morning Eve has a cup of green tea.", T2, {
      tags: ["morning"],
      valid_at: T1,
      session_id: "s1",
      sources: [{ role: "user", content: "my morning green tea" }],
    });
    const mergedText = "Eve drinks a cup of green tea every morning.";
    const table = { [a.memory]: vec(1, 0, 0), [b.memory]: vec(1, 0.5, 0), [mergedText]: vec(1, 0.25, 0) }; // cos 0.89

    it("redundant: writes a new merged node and archives both originals with MERGED_TO", async () => {
      const embedder = tableEmbedder(table);
      const llm = createScriptedLanguageModel([
        pairRule("redundant", "same habit"),
        {
          match: PROMPT_MARKERS.merge,
          reply: { memory: mergedText, key: "Morning tea", tags: ["tea", "habit"] },
        },
      ]);
      await put(store, embedder, [a, b]);
      const report = await new MemoryReorganizer({ store, embedder, llm }).integrate([b]);

      expect(report).toMatchObject({ compared: 1, merged: 1, duplicates: 0, failures: 0 });
      expect(report.processed).toBe(2); // b, then the merged node (no neighbours left)
      const mergedId = report.createdIds[0] as string;
      expect(report.archivedIds.sort()).toEqual([a.id, b.id].sort());
      const pairCall = llm.calls[0]?.messages.at(-1)?.content ?? "";
      expect(pairCall).toContain(`Memory A (true from ${T2}): ${a.memory}`);
      expect(pairCall).toContain(`Memory B (true from ${T1}): ${b.memory}`);

      const merged = await store.getItem(mergedId);
      expect(merged?.memory).toBe(mergedText);
      expect(merged?.metadata).toMatchObject({
        status: "activated",
        version: 1,
        memory_type: "LongTermMemory",
        key: "Morning tea",
        tags: ["tea", "morning", "habit"],
        valid_at: T1,
        session_id: "s1",
      });
      expect(merged?.metadata.sources.map((s) => s.content)).toEqual([
        "tea each morning",
        "my morning green tea",
      ]);
      expect(merged?.metadata.history).toEqual([
        expect.objectContaining({
          version: 0,
          memory: a.memory,
          update_type: "merge",
          archived_memory_id: a.id,
        }),
        expect.objectContaining({
          version: 0,
          memory: b.memory,
          update_type: "merge",
          archived_memory_id: b.id,
        }),
      ]);
      expect(await store.getEmbedding(mergedId)).not.toBeNull();
      for (const original of [a, b]) {
        const o = await store.getItem(original.id);
        expect(o?.memory).toBe(original.memory);
        expect(o?.metadata).toMatchObject({ status: "archived", version: 2 });
        expect(o?.metadata.history.at(-1)).toMatchObject({
          update_type: "merge",
          merged_into: mergedId,
          version: 1,
        });
      }
      expect(await edgesOf(store, "MERGED_TO")).toEqual(
        [`${a.id}>MERGED_TO>${mergedId}`, `${b.id}>MERGED_TO>${mergedId}`].sort(),
      );
      expect((await checkGraphConsistency(store)).ok).toBe(true);
    });

    it("redundant: the merged node inherits the originals' PARENT", async () => {
      const embedder = tableEmbedder(table);
      const llm = createScriptedLanguageModel([
        pairRule("redundant"),
        { match: PROMPT_MARKERS.merge, reply: { memory: mergedText, key: "", tags: [] } },
      ]);
      const topic = item("Eve's habits", T1, { type: "topic" }, "topic-1");
      await put(store, embedder, [a, b, topic]);
      await store.addEdges([{ source: topic.id, target: a.id, type: "PARENT" }]);
      const report = await new MemoryReorganizer({ store, embedder, llm }).integrate([b]);
      const mergedId = report.createdIds[0] as string;
      expect(await edgesOf(store, "PARENT")).toEqual(
        [`topic-1>PARENT>${a.id}`, `topic-1>PARENT>${mergedId}`].sort(),
      );
      expect((await store.getItem(mergedId))?.metadata.key).toBeNull();
    });

    it("contradictory: the older fact gets invalid_at, a conflict history entry and a CONFLICT edge", async () => {
      const paris = item("Frank lives in Paris.", T3, { valid_at: "2023-01-01T00:00:00.000Z" });
      const berlin = item("Frank lives in Berlin.", T3, { valid_at: "2024-05-01T00:00:00.000Z" });
      const embedder = tableEmbedder({ [paris.memory]: vec(1, 0.3), [berlin.memory]: vec(1, -0.3) }); // cos 0.83
      const llm = createScriptedLanguageModel([pairRule("contradictory", "moved")]);
      await put(store, embedder, [paris, berlin]);
      const report = await new MemoryReorganizer({ store, embedder, llm }).integrate([berlin]);

      expect(report).toMatchObject({ conflicts: 1, invalidatedIds: [paris.id], merged: 0 });
      expect(report.decisions[0]).toMatchObject({ kind: "conflict", resultId: berlin.id, reason: "moved" });
      const older = await store.getItem(paris.id);
      expect(older?.metadata).toMatchObject({
        status: "activated",
        invalid_at: "2024-05-01T00:00:00.000Z",
        version: 2,
      });
      expect(older?.metadata.history.at(-1)).toMatchObject({
        update_type: "conflict",
        conflicts_with: berlin.id,
        version: 1,
      });
      expect((await store.getItem(berlin.id))?.metadata).toMatchObject({ version: 1, status: "activated" });
      expect(await edgesOf(store)).toEqual([`${berlin.id}>CONFLICT>${paris.id}`]);
      expect((await checkGraphConsistency(store)).ok).toBe(true);

      // An invalidated fact is history: integrating again compares nothing with it.
      const again = await new MemoryReorganizer({ store, embedder, llm }).integrate([berlin]);
      expect(again.compared).toBe(0);
    });

    it("contradictory: a late-arriving older fact is the one invalidated", async () => {
      const now = item("Gina works at Acme.", T1, { valid_at: "2024-06-01T00:00:00.000Z" });
      const before = item("Gina works at Initech.", T3, { valid_at: "2022-01-01T00:00:00.000Z" });
      const embedder = tableEmbedder({ [now.memory]: vec(1, 0.3), [before.memory]: vec(1, -0.3) });
      const llm = createScriptedLanguageModel([pairRule("contradictory")]);
      await put(store, embedder, [now, before]);
      const report = await new MemoryReorganizer({ store, embedder, llm }).integrate([before]);
      expect(report.invalidatedIds).toEqual([before.id]);
      expect((await store.getItem(before.id))?.metadata.invalid_at).toBe("2024-06-01T00:00:00.000Z");
      expect(await edgesOf(store)).toEqual([`${now.id}>CONFLICT>${before.id}`]);
    });

    it("independent: nothing changes", async () => {
      const embedder = tableEmbedder(table);
      const llm = createScriptedLanguageModel([pairRule("independent", "different things")]);
      await put(store, embedder, [a, b]);
      const before = await store.exportAll();
      const report = await new MemoryReorganizer({ store, embedder, llm }).integrate([b]);
      expect(report).toMatchObject({ compared: 1, independent: 1, merged: 0, conflicts: 0, failures: 0 });
      const after = await store.exportAll();
      expect(after.nodes).toEqual(before.nodes);
      // Only the session's FOLLOWS chain (b's valid_at is earlier): b → a.
      expect(after.edges).toEqual([{ source: b.id, target: a.id, type: "FOLLOWS" }]);
    });

    it("asks the LLM about near-duplicates instead of merging them blindly", async () => {
      const x = item("Hank likes coffee.", T1);
      const y = item("Hank no longer likes coffee.", T2);
      const embedder = tableEmbedder({ [x.memory]: vec(1, 0), [y.memory]: vec(1, 0.1) }); // cos 0.995
      const llm = createScriptedLanguageModel([pairRule("contradictory")]);
      await put(store, embedder, [x, y]);
      const report = await new MemoryReorganizer({ store, embedder, llm }).integrate([y]);
      expect(report).toMatchObject({ duplicates: 0, conflicts: 1 });
    });

    it.each([
      ["unparseable JSON", [{ match: PROMPT_MARKERS.pair, reply: "sure, they are related" }]],
      ["a value outside the enum", [pairRule("maybe")]],
      ["no answer (provider error)", []],
      [
        "a failed merge call",
        [
          pairRule("redundant"),
          { match: PROMPT_MARKERS.merge, reply: { memory: "   ", key: "k", tags: [] } },
        ],
      ],
      [
        "an invalid merge answer",
        [pairRule("redundant"), { match: PROMPT_MARKERS.merge, reply: { key: "k" } }],
      ],
    ] as [string, ScriptedRule[]][])("LLM failure (%s): unchanged and counted", async (_name, rules) => {
      const embedder = tableEmbedder(table);
      const llm = createScriptedLanguageModel(rules);
      await put(store, embedder, [a, b]);
      const before = await store.exportAll();
      const report = await new MemoryReorganizer({ store, embedder, llm }).integrate([b]);
      expect(report).toMatchObject({ compared: 1, failures: 1, merged: 0, conflicts: 0, independent: 0 });
      expect(report.decisions[0]?.kind).toBe("failure");
      const after = await store.exportAll();
      expect(after.nodes).toEqual(before.nodes);
      expect(after.edges.filter((e) => e.type !== "FOLLOWS")).toEqual([]);
    });

    it("an embedder failure on the merged node leaves both originals as they were", async () => {
      const base = tableEmbedder(table);
      const embedder = {
        ...base,
        specificationVersion: base.specificationVersion,
        provider: base.provider,
        modelId: base.modelId,
        dimensions: base.dimensions,
        maxBatch: base.maxBatch,
        doEmbed: async (texts: string[]) => {
          if (texts.includes(mergedText)) {
            const { ProviderError } = await import("../core/errors/provider-error.js");
            throw new ProviderError({ message: "embedder down" });
          }
          return base.doEmbed(texts);
        },
      };
      const llm = createScriptedLanguageModel([
        pairRule("redundant"),
        { match: PROMPT_MARKERS.merge, reply: { memory: mergedText, key: "k", tags: [] } },
      ]);
      await put(store, embedder, [a, b]);
      const report = await new MemoryReorganizer({ store, embedder, llm }).integrate([b]);
      expect(report).toMatchObject({ failures: 1, merged: 0 });
      expect(await store.count({ status: "activated" })).toBe(2);
      expect(await store.count()).toBe(2);
    });

    it("a storage failure mid-decision rolls the whole decision back", async () => {
      const embedder = tableEmbedder(table);
      const llm = createScriptedLanguageModel([
        pairRule("redundant"),
        { match: PROMPT_MARKERS.merge, reply: { memory: mergedText, key: "k", tags: [] } },
      ]);
      await put(store, embedder, [a, b]);
      const before = await store.exportAll();
      // A store whose transactions fail at the last write (the MERGED_TO edges).
      const failing = new Proxy(store, {
        get(target, prop, receiver) {
          if (prop === "transaction") {
            return (fn: (tx: MemoryStore) => Promise<unknown>) =>
              target.transaction((tx) =>
                fn(
                  new Proxy(tx, {
                    get(t, p, r) {
                      if (p === "addEdges")
                        return async () => Promise.reject(new StorageError({ message: "disk full" }));
                      const v = Reflect.get(t, p, r);
                      return typeof v === "function" ? v.bind(t) : v;
                    },
                  }),
                ),
              );
          }
          const v = Reflect.get(target, prop, receiver);
          return typeof v === "function" ? v.bind(target) : v;
        },
      });
      await expect(new MemoryReorganizer({ store: failing, embedder, llm }).integrate([b])).rejects.toThrow(
        /disk full/,
      );
      const after = await store.exportAll();
      expect(after).toEqual(before);
    });
  });
});
