import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { createGloveEmbedder } from "../../providers/glove/index.js";
import { parseChatFile } from "../../reader/index.js";
import { createSqliteMemoryStore } from "../../storage/sqlite/index.js";
import { GeneralTextMemory } from "./general.js";

const sample = parseChatFile(
  readFileSync(new URL("../../../examples/sample-chat.json", import.meta.url), "utf8"),
);
const fixtureCube = new URL("../../../test/fixtures/memos-general-cube", import.meta.url).pathname;

let embedder: Embedder;
let mem: GeneralTextMemory;
const tmp = mkdtempSync(join(tmpdir(), "memos-general-"));

beforeAll(async () => {
  embedder = await createGloveEmbedder();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function fresh(): Promise<GeneralTextMemory> {
  return new GeneralTextMemory({ store: await createSqliteMemoryStore({ path: ":memory:" }), embedder });
}

/** The turns (source contents) of the top-k hits. */
async function topTurns(m: GeneralTextMemory, query: string, k = 3): Promise<string> {
  const hits = await m.search(query, { topK: k });
  return hits.flatMap((h) => h.item.metadata.sources.map((s) => s.content ?? "")).join("\n");
}

describe("GeneralTextMemory over SQLite + GloVe", () => {
  beforeEach(async () => {
    mem = await fresh();
    await mem.addMessages(sample, { userId: "maya", sessionId: "demo" });
  });

  it("finds the turn that answers a question, with provenance and timestamps", async () => {
    const hits = await mem.search("What is the name of Maya's cat?", { topK: 3 });
    const withPixel = hits.find((h) => h.item.memory.includes("Pixel"));
    expect(withPixel).toBeDefined();
    const source = withPixel?.item.metadata.sources.find((s) => s.content?.includes("Pixel"));
    expect(source?.speaker).toBe("Maya");
    expect(source?.chat_time).toBe("2025-03-09T18:40:00.000Z");
    expect(withPixel?.item.metadata.user_id).toBe("maya");
  });

  it("finds a paraphrase that shares no keyword with its turn (vector path)", async () => {
    const added = await (await fresh()).add([]); // empty add is a no-op, not an error
    expect(added).toEqual([]);
    const m = await fresh();
    await m.add([
      "I adopted a puppy last week and named him Biscuit.",
      "The quarterly budget review is scheduled for Thursday.",
      "My favourite programming language is Rust.",
    ]);
    const [top] = await m.search("she recently got a new dog", { topK: 1 });
    expect(top?.item.memory).toContain("puppy");
    expect(top?.paths).toContain("vector");
  });

  it("finds an exact rare word through BM25 (keyword path)", async () => {
    expect(await topTurns(mem, "fado")).toContain("fado");
    const hits = await mem.search("fado", { topK: 3 });
    expect(hits[0]?.paths).toContain("keyword");
  });

  it("rejects an empty query and a bad topK with typed errors", async () => {
    await expect(mem.search("   ")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(mem.search("cat", { topK: 0 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(mem.search("cat", { referenceTime: "not a date" })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it("applies filters and the reference time", async () => {
    const other = await mem.search("cat", { topK: 5, filter: { session_id: "nope" } });
    expect(other).toEqual([]);
    // Before the second session happened, the cat was not known yet.
    const before = await mem.search("cat named Pixel", { topK: 10, referenceTime: "2025-03-05T00:00:00Z" });
    expect(before.some((h) => h.item.memory.includes("Pixel"))).toBe(false);
    const after = await mem.search("cat named Pixel", { topK: 10, referenceTime: "2025-03-10T00:00:00Z" });
    expect(after.some((h) => h.item.memory.includes("Pixel"))).toBe(true);
  });

  it("update bumps the version, keeps history, re-embeds; rollback restores as a new version", async () => {
    const [item] = await mem.add(["Maya's favourite colour is blue."]);
    const id = item?.id as string;
    const updated = await mem.update(id, { memory: "Maya's favourite colour is green." });
    expect(updated.metadata.version).toBe(2);
    expect(updated.metadata.history).toMatchObject([
      { version: 1, memory: "Maya's favourite colour is blue.", update_type: "update" },
    ]);
    expect(await topTurns(mem, "favourite colour green", 1)).not.toContain("blue");
    const [hit] = await mem.search("favourite colour", { topK: 1 });
    expect(hit?.item.memory).toContain("green");
    const restored = await mem.rollback(id, 1);
    expect(restored.memory).toBe("Maya's favourite colour is blue.");
    expect(restored.metadata.version).toBe(3);
    expect((await mem.history(id)).history.map((h) => h.version)).toEqual([1, 2]);
    await expect(mem.rollback(id, 9)).rejects.toBeInstanceOf(NotFoundError);
    await expect(mem.update("missing", { memory: "x" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("delete removes a memory from search and get", async () => {
    // Every memory naming Pixel (search drops a window whose turns it already returns).
    const ids = (await mem.getAll()).filter((m) => m.memory.includes("Pixel")).map((m) => m.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(await mem.delete(ids)).toBe(ids.length);
    expect((await mem.search("Pixel cat", { topK: 10 })).some((h) => h.item.memory.includes("Pixel"))).toBe(
      false,
    );
    await expect(mem.get(ids[0] as string)).rejects.toBeInstanceOf(NotFoundError);
    expect(await mem.deleteAll()).toBeGreaterThan(0);
    expect(await mem.getAll()).toEqual([]);
  });

  it("dump and load round-trip every memory exactly", async () => {
    const dir = join(tmp, "dump");
    await mem.dump(dir);
    const copy = await fresh();
    expect(await copy.load(dir)).toBe((await mem.getAll()).length);
    const strip = (xs: Awaited<ReturnType<GeneralTextMemory["getAll"]>>) =>
      xs
        .map(({ id, memory, metadata }) => ({ id, memory, metadata }))
        .sort((a, b) => a.id.localeCompare(b.id));
    expect(strip(await copy.getAll())).toEqual(strip(await mem.getAll()));
    expect(await topTurns(copy, "What is the name of Maya's cat?")).toContain("Pixel");
  });

  it("loads a MemOS general cube (other embedder, 4-d vectors) by re-embedding it", async () => {
    const m = await fresh();
    expect(await m.load(fixtureCube)).toBe(2);
    const [top] = await m.search("beekeeping on the roof", { topK: 1 });
    expect(top?.item.id).toBe("5f0c1d2e-0000-4a00-8000-000000000001");
    expect(top?.item.metadata.confidence).toBe(95);
    expect(top?.item.metadata.entities).toEqual(["bees", "roof"]);
    const [train] = await m.search("travelling by train instead of flying", { topK: 1 });
    expect(train?.item.memory).toContain("trains");
  });
});
