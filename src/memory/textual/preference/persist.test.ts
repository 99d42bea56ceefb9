import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../../core/errors/not-found-error.js";
import type { Embedder } from "../../../core/interfaces/embedder.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import { createGloveEmbedder } from "../../../providers/glove/index.js";
import { createSqliteMemoryStore } from "../../../storage/sqlite/index.js";
import { GeneralTextMemory } from "../general.js";
import { PreferenceTextMemory } from "./preference-memory.js";
import { PREFERENCE_MEMORY_FILE } from "./types.js";

let embedder: Embedder;
const tmp = mkdtempSync(join(tmpdir(), "memos-pref-"));
beforeAll(async () => {
  embedder = await createGloveEmbedder();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function fresh() {
  const store = await createSqliteMemoryStore({ path: ":memory:" });
  return { store, prefs: new PreferenceTextMemory({ store, embedder }) };
}

const byId = (items: TextualMemoryItem[]) => [...items].sort((a, b) => (a.id < b.id ? -1 : 1));

describe("PreferenceTextMemory dump / load", () => {
  it("round-trips every preference exactly (text, metadata, history, versions, validity, vectors) in MemOS's file", async () => {
    const { store, prefs } = await fresh();
    await new GeneralTextMemory({ store, embedder }).add(["a plain fact, not a preference"]);
    const [veg, window] = await prefs.add(
      [
        {
          memory: "The user is vegetarian",
          metadata: { topic: "Food", valid_at: "2025-01-01T00:00:00.000Z" },
        },
        {
          memory: "The user likes window seats",
          metadata: { preference_type: "implicit_preference", reasoning: "always picks 12A" },
        },
      ],
      { userId: "maya", sessionId: "s1" },
    );
    await prefs.update(
      window?.id ?? "",
      { memory: "The user prefers window seats on flights" },
      "preference_update",
    );
    await prefs.update(
      veg?.id ?? "",
      { metadata: { invalid_at: "2025-06-01T00:00:00.000Z", evolve_to: ["x"] } },
      "conflict",
    );

    const dir = join(tmp, "roundtrip");
    const path = await prefs.dump(dir);
    expect(path).toBe(join(dir, PREFERENCE_MEMORY_FILE));
    const file = JSON.parse(readFileSync(path, "utf8"));
    expect(Object.keys(file).sort()).toEqual(["explicit_preference", "implicit_preference"]);
    expect(file.explicit_preference).toHaveLength(1);
    const [point] = file.implicit_preference;
    expect(point).toMatchObject({ id: window?.id, memory: "The user prefers window seats on flights" });
    expect(point.vector).toHaveLength(embedder.dimensions);
    expect(point.payload).toMatchObject({
      preference_type: "implicit_preference",
      memory_type: "PreferenceMemory",
      version: 2,
    });
    expect(point.payload.embedding).toBeUndefined();

    const before = byId(await prefs.getAll());
    const copy = await fresh();
    expect(await copy.prefs.load(dir)).toBe(2);
    expect(byId(await copy.prefs.getAll())).toEqual(before);
    for (const item of before) {
      expect(await copy.store.getEmbedding(item.id)).toEqual(await store.getEmbedding(item.id));
    }
    expect(await copy.store.count()).toBe(2); // the plain fact was not dumped
  });

  it("loads MemOS's own dump: collection gives the type, foreign vectors are re-embedded", async () => {
    const dir = join(tmp, "memos");
    const memos = {
      explicit_preference: [
        {
          id: "5f2b6a4e-1c1d-4e57-9a53-2f1f0c8f0a01",
          memory: "User asked for hotel tips in Kyoto and said they only stay in ryokans.",
          original_text: "user: any hotel tips for Kyoto? I only stay in ryokans.",
          vector: [0.1, 0.2, 0.3],
          payload: {
            preference: "The user only stays in traditional ryokans",
            user_id: "maya",
            dialog_id: "d1",
            created_at: "2025-05-01T10:00:00",
            topic: "hotel",
          },
        },
      ],
      implicit_preference: [
        {
          id: "5f2b6a4e-1c1d-4e57-9a53-2f1f0c8f0a02",
          memory: "Across trips the user books quiet rooms.",
          payload: {
            preference: "The user prefers quiet rooms",
            reasoning: "three quiet-room requests",
            user_id: "maya",
          },
          score: 0.7,
        },
      ],
    };
    const { store, prefs } = await fresh();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, PREFERENCE_MEMORY_FILE), JSON.stringify(memos));
    expect(await prefs.load(dir)).toBe(2);

    const ryokan = await prefs.get("5f2b6a4e-1c1d-4e57-9a53-2f1f0c8f0a01");
    expect(ryokan.metadata).toMatchObject({
      memory_type: "PreferenceMemory",
      preference_type: "explicit_preference",
      preference: "The user only stays in traditional ryokans",
      original_text: "user: any hotel tips for Kyoto? I only stay in ryokans.",
      dialog_id: "d1",
    });
    expect((await store.getEmbedding(ryokan.id))?.length).toBe(embedder.dimensions);
    const quiet = await prefs.get("5f2b6a4e-1c1d-4e57-9a53-2f1f0c8f0a02");
    expect(quiet.metadata.preference_type).toBe("implicit_preference");
    expect(quiet.metadata.score).toBeUndefined(); // a search score is not part of the memory

    const [hit] = await prefs.search("where should we stay in Kyoto", { userId: "maya", topK: 1 });
    expect(hit?.item.id).toBe(ryokan.id);
  });

  it("also reads a {nodes, edges} export, and reports bad files with typed errors", async () => {
    const dir = join(tmp, "nodes");
    const { prefs: source } = await fresh();
    const [item] = await source.add(["The user prefers metric units"]);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "prefs.json"), JSON.stringify({ nodes: [item], edges: [] }));
    const { prefs } = await fresh();
    expect(await prefs.load(dir, { filename: "prefs.json" })).toBe(1);
    expect((await prefs.get(item?.id ?? "")).memory).toBe("The user prefers metric units");

    await expect(prefs.load(join(tmp, "missing"))).rejects.toBeInstanceOf(NotFoundError);
    writeFileSync(join(dir, PREFERENCE_MEMORY_FILE), "{ not json");
    await expect(prefs.load(dir)).rejects.toBeInstanceOf(InvalidInputError);
    writeFileSync(
      join(dir, PREFERENCE_MEMORY_FILE),
      JSON.stringify({ explicit_preference: [{ id: "x", payload: {} }] }),
    );
    await expect(prefs.load(dir)).rejects.toThrow(/explicit_preference\[0\]/);
  });
});
