import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/core/errors/index.js";
import {
  listPrefevalTopics,
  loadDistractorChats,
  loadPrefevalItems,
  parseDistractorChats,
  parsePrefevalTopic,
} from "./data.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const EXPLICIT = path.join(FIXTURES, "explicit");

describe("PrefEval topic files", () => {
  it("lists topics sorted and reads items with topic and index", async () => {
    expect(await listPrefevalTopics(EXPLICIT)).toEqual(["gardening", "travel"]);
    const items = await loadPrefevalItems(EXPLICIT);
    expect(items).toHaveLength(5);
    expect(items[0]).toMatchObject({ topic: "gardening", index: 0 });
    expect(items[0]?.preference).toContain("heirloom");
    expect(items[4]).toMatchObject({ topic: "travel", index: 2 });
  });

  it("keeps only the topics asked for, and names the available ones for an unknown topic", async () => {
    const items = await loadPrefevalItems(EXPLICIT, ["travel"]);
    expect(new Set(items.map((i) => i.topic))).toEqual(new Set(["travel"]));
    const error = await loadPrefevalItems(EXPLICIT, ["cooking"]).catch((e: unknown) => e);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).hint).toContain("gardening, travel");
  });

  it("rejects items without a question or preference, and empty files", () => {
    expect(() => parsePrefevalTopic([{ preference: "x" }], "t")).toThrow(/question/);
    expect(() => parsePrefevalTopic([{ preference: " ", question: "q" }], "t")).toThrow(/preference/);
    expect(() => parsePrefevalTopic([], "t")).toThrow(InvalidInputError);
    // The explanation is optional: only the LLM judge reads it.
    expect(parsePrefevalTopic([{ preference: "p", question: "q" }], "t")[0]?.explanation).toBe("");
  });

  it("reports a missing directory and a directory without topic files as bad input", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "prefeval-empty-"));
    try {
      await expect(listPrefevalTopics(dir)).rejects.toSatisfy(InvalidInputError.isInstance);
      await expect(listPrefevalTopics(path.join(dir, "nope"))).rejects.toSatisfy(
        InvalidInputError.isInstance,
      );
      await writeFile(path.join(dir, "broken.json"), "[{");
      await expect(loadPrefevalItems(dir)).rejects.toSatisfy(InvalidInputError.isInstance);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("distractor chats", () => {
  let chats: Awaited<ReturnType<typeof loadDistractorChats>>;
  beforeAll(async () => {
    chats = await loadDistractorChats(path.join(FIXTURES, "distractor-chats.json"));
  });
  afterAll(() => undefined);

  it("reads chats in file order and drops blank turns", () => {
    expect(chats.map((c) => c.id)).toEqual(["fx-a", "fx-b", "fx-c"]);
    expect(chats[0]?.turns).toHaveLength(4);
    expect(chats[2]?.turns.map((t) => t.role)).toEqual(["user", "assistant", "assistant"]);
  });

  it("rejects chats without turns or roles", () => {
    expect(() => parseDistractorChats([{ conversation_id: "x", conversation: [] }])).toThrow(
      InvalidInputError,
    );
    expect(() => parseDistractorChats([{ conversation_id: "x", conversation: [{ content: "hi" }] }])).toThrow(
      /role/,
    );
    expect(() => parseDistractorChats({})).toThrow(InvalidInputError);
  });
});
