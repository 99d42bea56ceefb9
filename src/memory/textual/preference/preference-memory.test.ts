import { beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../core/errors/invalid-input-error.js";
import { LLMOutputError } from "../../../core/errors/llm-output-error.js";
import type { Embedder } from "../../../core/interfaces/embedder.js";
import type { LanguageModel, LLMMessage } from "../../../core/interfaces/language-model.js";
import type { MemoryStore } from "../../../core/interfaces/store.js";
import { createGloveEmbedder } from "../../../providers/glove/index.js";
import type { ChatMessage } from "../../../reader/chat-schema.js";
import { createSqliteMemoryStore } from "../../../storage/sqlite/index.js";
import {
  createScriptedLanguageModel,
  type ScriptedLanguageModel,
} from "../../../testing/scripted-language-model.js";
import { GeneralTextMemory } from "../general.js";
import { PreferenceTextMemory } from "./preference-memory.js";
import type { JudgeAnswer, PreferenceExtraction } from "./prompts.js";

let embedder: Embedder;
beforeAll(async () => {
  embedder = await createGloveEmbedder();
});

async function fresh(llm?: LanguageModel): Promise<{ prefs: PreferenceTextMemory; store: MemoryStore }> {
  const store = await createSqliteMemoryStore({ path: ":memory:" });
  return { prefs: new PreferenceTextMemory({ store, embedder, llm }), store };
}

/** Stored preferences listed in a judge prompt. */
function storedIn(messages: LLMMessage[]): { id: string; preference: string }[] {
  const text = messages.at(-1)?.content ?? "";
  return [...text.matchAll(/^- id=(\S+): (.+?)(?: \(topic: [^)]*\))?$/gm)].map((m) => ({
    id: m[1] ?? "",
    preference: m[2] ?? "",
  }));
}

/**
 * A model that answers extraction prompts by a substring of the conversation, judge prompts
 * (they list "Stored preferences:") with `judge` (default: nothing related), and generateObject's
 * repair turn with its previous answer again (a model stuck on a bad answer).
 */
function model(
  extractions: Record<string, PreferenceExtraction | string>,
  judge: (messages: LLMMessage[]) => JudgeAnswer | string = () => ({ decisions: [] }),
): ScriptedLanguageModel {
  return createScriptedLanguageModel([
    { match: "That answer was not valid", reply: (m) => m.at(-2)?.content ?? "" },
    { match: "Stored preferences:", reply: (m) => judge(m) },
    ...Object.entries(extractions).map(([match, reply]) => ({ match, reply })),
  ]);
}

const at = (day: string) => `${day}T10:00:00.000Z`;

describe("PreferenceTextMemory: extraction", () => {
  const chat: ChatMessage[] = [
    {
      role: "user",
      content: "I'm vegetarian, so please suggest meat-free dinners.",
      chat_time: at("2025-01-10"),
      speaker: "Maya",
    },
    { role: "assistant", content: "How about a lentil curry?" },
    {
      role: "user",
      content: "Nice. Can you write the shopping list as a Python script?",
      chat_time: at("2025-01-10"),
    },
    { role: "assistant", content: "Sure: items = ['lentils', 'rice']" },
    {
      role: "user",
      content: "And the weekly plan as code too, please.",
      chat_time: at("2025-01-10"),
      message_id: "m5",
    },
  ];
  const llm = () =>
    model({
      "meat-free dinners": {
        explicit: [{ preference: "The user is vegetarian", topic: "Food", evidence_index: 0 }],
        implicit: [
          {
            preference: "The user prefers answers written as code",
            topic: "answer style",
            reasoning: "asked twice for code (shopping list, weekly plan)",
            evidence_index: 4,
          },
        ],
      },
    });

  it("maps explicit and implicit preferences to items with their type, topic and source turn", async () => {
    const model = llm();
    const { prefs } = await fresh(model);
    const { added, updated, invalidated } = await prefs.addMessages(chat, {
      userId: "maya",
      sessionId: "s1",
    });
    expect(updated).toEqual([]);
    expect(invalidated).toEqual([]);
    expect(added).toHaveLength(2);

    const explicit = added.find((i) => i.metadata.preference_type === "explicit_preference");
    expect(explicit?.memory).toBe("The user is vegetarian");
    expect(explicit?.metadata).toMatchObject({
      memory_type: "PreferenceMemory",
      preference: "The user is vegetarian",
      topic: "food",
      tags: ["food"],
      user_id: "maya",
      session_id: "s1",
      valid_at: at("2025-01-10"),
      confidence: 90,
      version: 1,
    });
    expect(explicit?.metadata.sources).toEqual([
      { type: "chat", role: "user", speaker: "Maya", chat_time: at("2025-01-10"), content: chat[0]?.content },
    ]);
    expect(explicit?.metadata.original_text).toContain("I'm vegetarian");

    const implicit = added.find((i) => i.metadata.preference_type === "implicit_preference");
    expect(implicit?.metadata.reasoning).toMatch(/asked twice/);
    expect(implicit?.metadata.sources[0]).toMatchObject({
      role: "user",
      message_id: "m5",
      content: chat[4]?.content,
    });
    expect(implicit?.metadata.confidence).toBe(60);

    // One extraction call; with nothing stored there is nothing to judge.
    expect(model.calls).toHaveLength(1);
    const prompt = model.calls[0]?.messages ?? [];
    expect(prompt[0]?.content).toMatch(/explicit/);
    expect(prompt[0]?.content).toMatch(/implicit/);
    expect(prompt.at(-1)?.content).toContain("[0] user (Maya, 2025-01-10T10:00:00.000Z): I'm vegetarian");
    expect(model.calls[0]?.options.responseFormat).toMatchObject({ type: "json" });
    expect(await prefs.getAll({ userId: "maya" })).toHaveLength(2);
  });

  it("extract() returns candidates without storing them", async () => {
    const { prefs, store } = await fresh(llm());
    const found = await prefs.extract(chat);
    expect(found.map((c) => [c.preference_type, c.evidence_index])).toEqual([
      ["explicit_preference", 0],
      ["implicit_preference", 4],
    ]);
    expect(await store.count()).toBe(0);
  });

  it("without an LLM: rules store the preferences the user states, and a request for advice finds them", async () => {
    const { prefs, store } = await fresh();
    const talk = [
      {
        role: "user",
        content: "Can you help me plan a trip? Honestly, I can't stand crowded beaches.",
        chat_time: "2025-05-01T10:00:00Z",
      },
      {
        role: "assistant",
        content: "Sure! I'd prefer to know your budget first.",
        chat_time: "2025-05-01T10:01:00Z",
      },
      {
        role: "user",
        content: "Also, I'm vegetarian. The budget is about 2000 euros.",
        chat_time: "2025-05-01T10:02:00Z",
      },
    ];
    const { added } = await prefs.addMessages(talk, { userId: "maya" });
    expect(added.map((a) => a.memory)).toEqual([
      "Honestly, I can't stand crowded beaches.",
      "Also, I'm vegetarian.",
    ]);
    expect(added.every((a) => a.metadata.preference_type === "explicit_preference")).toBe(true);
    expect(await store.count()).toBe(2);
    const [top] = await prefs.search("Which seaside resort would you recommend for a quiet holiday?", {
      userId: "maya",
      topK: 1,
    });
    expect(top?.item.memory).toContain("crowded beaches");
  });

  it("LLM junk: LLMOutputError after one repair turn, nothing written", async () => {
    const junk = model({ "meat-free dinners": "Sure! The user seems to like vegetables." });
    const { prefs, store } = await fresh(junk);
    await expect(prefs.addMessages(chat, { userId: "maya" })).rejects.toBeInstanceOf(LLMOutputError);
    expect(junk.calls).toHaveLength(2);
    expect(await store.count()).toBe(0);
  });

  it("an evidence index outside the conversation is junk too", async () => {
    const wrong = model({
      "meat-free dinners": {
        explicit: [{ preference: "The user is vegetarian", topic: "food", evidence_index: 9 }],
        implicit: [],
      },
    });
    const { prefs, store } = await fresh(wrong);
    await expect(prefs.addMessages(chat)).rejects.toBeInstanceOf(LLMOutputError);
    expect(await store.count()).toBe(0);
  });

  it("malformed messages: InvalidInputError before any LLM call", async () => {
    const m = llm();
    const { prefs } = await fresh(m);
    await expect(prefs.addMessages([{ role: "user", content: "" }])).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(m.calls).toHaveLength(0);
  });

  it("long conversations are read in overlapping slices, evidence mapped back to the right turn", async () => {
    const long: ChatMessage[] = Array.from({ length: 12 }, (_, i) => ({
      role: "user",
      content: `turn ${i}: ${"x".repeat(80)}`,
    }));
    long[9] = { role: "user", content: "turn 9: I only drink green tea" };
    const m = createScriptedLanguageModel([
      {
        match: "I only drink green tea",
        reply: (msgs) => {
          const local = /\[(\d+)\] user: turn 9/.exec(msgs.at(-1)?.content ?? "")?.[1];
          return {
            explicit: [
              {
                preference: "The user only drinks green tea",
                topic: "drinks",
                evidence_index: Number(local),
              },
            ],
            implicit: [],
          };
        },
      },
      { match: "turn", reply: { explicit: [], implicit: [] } },
    ]);
    const prefs = new PreferenceTextMemory({
      store: await createSqliteMemoryStore({ path: ":memory:" }),
      embedder,
      llm: m,
      windowChars: 400,
    });
    const found = await prefs.extract(long);
    expect(m.calls.length).toBeGreaterThan(2);
    expect(found).toHaveLength(1); // seen in two overlapping slices, kept once
    expect(found[0]?.evidence_index).toBe(9);
    expect(found[0]?.sources[0]?.content).toBe("turn 9: I only drink green tea");
  });
});

describe("PreferenceTextMemory: add-or-update", () => {
  const first: ChatMessage[] = [
    { role: "user", content: "Book me a window seat, I always prefer those.", chat_time: at("2025-02-01") },
  ];
  const again: ChatMessage[] = [
    { role: "user", content: "Window seat again for the Lisbon flight please.", chat_time: at("2025-03-01") },
  ];

  it("a restated preference updates the stored one (history, version, sources) instead of duplicating it", async () => {
    const m = model({
      "Book me a window seat": {
        explicit: [{ preference: "The user prefers window seats", topic: "travel", evidence_index: 0 }],
        implicit: [],
      },
      "Window seat again": {
        explicit: [
          { preference: "The user prefers window seats on flights", topic: "travel", evidence_index: 0 },
        ],
        implicit: [],
      },
    });
    const { prefs } = await fresh(m);
    const one = await prefs.addMessages(first, { userId: "maya" });
    const two = await prefs.addMessages(again, { userId: "maya" });
    expect(two.added).toEqual([]);
    expect(two.updated).toHaveLength(1);
    const [item] = await prefs.getAll({ userId: "maya" });
    expect(await prefs.getAll()).toHaveLength(1);
    expect(item?.id).toBe(one.added[0]?.id);
    expect(item?.memory).toBe("The user prefers window seats on flights");
    expect(item?.metadata.preference).toBe("The user prefers window seats on flights");
    expect(item?.metadata.version).toBe(2);
    expect(item?.metadata.history).toEqual([
      expect.objectContaining({
        version: 1,
        memory: "The user prefers window seats",
        update_type: "preference_update",
      }),
    ]);
    expect(item?.metadata.sources.map((s) => s.content)).toEqual([first[0]?.content, again[0]?.content]);
    expect(item?.metadata.valid_at).toBe(at("2025-02-01")); // held since first said
    // Cosine above the threshold decides alone: no judge call.
    expect(m.calls.filter((c) => c.reply?.includes("decisions"))).toHaveLength(0);
    // The vector follows the new text.
    const [hit] = await prefs.search("flights", { userId: "maya", topK: 1 });
    expect(hit?.item.id).toBe(item?.id);
  });

  it("another user's identical preference is not touched", async () => {
    const m = model({
      "Book me a window seat": {
        explicit: [{ preference: "The user prefers window seats", topic: "travel", evidence_index: 0 }],
        implicit: [],
      },
    });
    const { prefs } = await fresh(m);
    await prefs.addMessages(first, { userId: "maya" });
    const other = await prefs.addMessages(first, { userId: "leo" });
    expect(other.added).toHaveLength(1);
    expect(await prefs.getAll({ userId: "maya" })).toHaveLength(1);
    expect(await prefs.getAll({ userId: "leo" })).toHaveLength(1);
  });

  describe("a changed preference: the newer wins", () => {
    const veg: ChatMessage[] = [{ role: "user", content: "I'm vegetarian.", chat_time: at("2025-01-01") }];
    const fish: ChatMessage[] = [
      { role: "user", content: "I eat fish now, by the way.", chat_time: at("2025-06-01") },
    ];
    const vegan: ChatMessage[] = [
      { role: "user", content: "Back then I was vegan.", chat_time: at("2024-12-01") },
    ];
    const conflictJudge = (messages: LLMMessage[]): JudgeAnswer => ({
      decisions: storedIn(messages)
        .filter((s) => /vegetarian|fish/.test(s.preference))
        .map((s) => ({ new_index: 0, existing_id: s.id, relation: "conflict" as const })),
    });
    const llm = () =>
      model(
        {
          "I'm vegetarian": {
            explicit: [{ preference: "The user is vegetarian", topic: "food", evidence_index: 0 }],
            implicit: [],
          },
          "I eat fish now": {
            explicit: [{ preference: "The user eats fish", topic: "food", evidence_index: 0 }],
            implicit: [],
          },
          "I was vegan": {
            explicit: [{ preference: "The user is vegan", topic: "food", evidence_index: 0 }],
            implicit: [],
          },
        },
        conflictJudge,
      );

    it("the older preference gets invalid_at and points to the newer; search and the prompt show the newer", async () => {
      const m = llm();
      const { prefs } = await fresh(m);
      const {
        added: [vegItem],
      } = await prefs.addMessages(veg, { userId: "maya" });
      const result = await prefs.addMessages(fish, { userId: "maya" });
      expect(result.added.map((i) => i.memory)).toEqual(["The user eats fish"]);
      expect(result.invalidated.map((i) => i.id)).toEqual([vegItem?.id]);

      const old = await prefs.get(vegItem?.id ?? "");
      expect(old.metadata.invalid_at).toBe(at("2025-06-01"));
      expect(old.metadata.status).toBe("activated"); // kept as history, not deleted
      expect(old.metadata.evolve_to).toEqual([result.added[0]?.id]);
      expect(old.metadata.version).toBe(2);
      expect(old.metadata.history.at(-1)).toMatchObject({
        update_type: "conflict",
        conflicts_with: result.added[0]?.id,
      });

      // The judge saw the stored preference (same topic / close in meaning) and the new one.
      const judged = m.calls.find((c) => c.messages.at(-1)?.content.includes("Stored preferences:"));
      expect(judged?.messages.at(-1)?.content).toContain("The user is vegetarian");
      expect(judged?.messages.at(-1)?.content).toContain("[0] The user eats fish");

      const now = await prefs.search("what food does the user eat", { userId: "maya" });
      expect(now.map((h) => h.item.memory)).toEqual(["The user eats fish"]);
      const all = await prefs.search("what food does the user eat", {
        userId: "maya",
        includeInactive: true,
      });
      expect(all.map((h) => h.item.memory).sort()).toEqual(["The user eats fish", "The user is vegetarian"]);
      const then = await prefs.search("what food does the user eat", {
        userId: "maya",
        referenceTime: at("2025-03-01"),
      });
      expect(then.map((h) => h.item.memory)).toEqual(["The user is vegetarian"]);

      const block = prefs.formatForPrompt(all);
      expect(block).toContain("- The user eats fish (explicit)");
      expect(block).not.toContain("vegetarian");
    });

    it("an older conversation replayed later is stored already overridden", async () => {
      const { prefs } = await fresh(llm());
      await prefs.addMessages(veg, { userId: "maya" });
      const {
        added: [fishItem],
      } = await prefs.addMessages(fish, { userId: "maya" });
      const late = await prefs.addMessages(vegan, { userId: "maya" });
      expect(late.invalidated).toEqual([]);
      expect(late.added[0]?.metadata.invalid_at).toBe(at("2025-06-01"));
      expect(late.added[0]?.metadata.evolve_to).toEqual([fishItem?.id]);
      expect((await prefs.get(fishItem?.id ?? "")).metadata.invalid_at ?? null).toBeNull();
    });

    it("junk from the judge: LLMOutputError, and the extraction is not written either", async () => {
      const m = model(
        {
          "I'm vegetarian": {
            explicit: [{ preference: "The user is vegetarian", topic: "food", evidence_index: 0 }],
            implicit: [],
          },
          "I eat fish now": {
            explicit: [{ preference: "The user eats fish", topic: "food", evidence_index: 0 }],
            implicit: [],
          },
        },
        () => ({ decisions: [{ new_index: 0, existing_id: "no-such-id", relation: "conflict" as const }] }),
      );
      const { prefs, store } = await fresh(m);
      await prefs.addMessages(veg, { userId: "maya" });
      await expect(prefs.addMessages(fish, { userId: "maya" })).rejects.toBeInstanceOf(LLMOutputError);
      expect(await store.count()).toBe(1);
      expect((await prefs.getAll())[0]?.metadata.version).toBe(1);
    });
  });

  it("the judge may call a looser paraphrase the same preference: update, not insert", async () => {
    const m = model(
      {
        "no emojis": {
          explicit: [
            { preference: "The user does not want emojis in replies", topic: "style", evidence_index: 0 },
          ],
          implicit: [],
        },
        "plain text": {
          explicit: [
            {
              preference: "The user wants plain-text answers without pictograms",
              topic: "style",
              evidence_index: 0,
            },
          ],
          implicit: [],
        },
      },
      (msgs) => ({
        decisions: storedIn(msgs).map((s) => ({
          new_index: 0,
          existing_id: s.id,
          relation: "same" as const,
        })),
      }),
    );
    const { prefs } = await fresh(m);
    await prefs.addMessages([{ role: "user", content: "Please, no emojis." }], { userId: "u" });
    const r = await prefs.addMessages([{ role: "user", content: "Keep it plain text from now on." }], {
      userId: "u",
    });
    expect(r.added).toEqual([]);
    expect(r.updated[0]?.memory).toBe("The user wants plain-text answers without pictograms");
    expect(await prefs.getAll()).toHaveLength(1);
  });
});

describe("PreferenceTextMemory: retrieval", () => {
  const catalogue = [
    "The user prefers window seats on flights",
    "The user is vegetarian",
    "The user does not want emojis in replies",
    "The user likes jazz and blues music",
    "The user prefers dark mode in every app",
    "The user wants answers in British English",
    "The user is allergic to peanuts",
    "The user prefers trains over planes for short trips",
    "The user likes to run in the early morning",
    "The user prefers Python for scripting",
    "The user reads science fiction novels",
    "The user prefers hotels close to the city centre",
    "The user dislikes horror films",
    "The user drinks green tea instead of coffee",
    "The user wants meeting notes as bullet points",
    "The user prefers metric units",
    "The user likes hiking in the mountains",
    "The user prefers paper books to e-readers",
    "The user wants short answers without long introductions",
    "The user supports Arsenal football club",
  ];

  it("finds the right preference among 20, within the user's scope", async () => {
    const { prefs } = await fresh();
    await prefs.add(catalogue, { userId: "maya" });
    await prefs.add(["The user prefers aisle seats on flights"], { userId: "leo" });
    const cases: [string, string][] = [
      ["Which seat should I book on my flight to Rome?", "The user prefers window seats on flights"],
      ["recommend some music for tonight", "The user likes jazz and blues music"],
      ["which film should we watch at the cinema", "The user dislikes horror films"],
      [
        "what should I order for her at the cafe, tea or coffee?",
        "The user drinks green tea instead of coffee",
      ],
    ];
    for (const [query, expected] of cases) {
      const hits = await prefs.search(query, { userId: "maya", topK: 3 });
      expect(hits[0]?.item.memory, query).toBe(expected);
      expect(hits.every((h) => h.item.metadata.user_id === "maya")).toBe(true);
    }
  });

  it("filters by preference type and ignores other memories in a shared store", async () => {
    const store = await createSqliteMemoryStore({ path: ":memory:" });
    const prefs = new PreferenceTextMemory({ store, embedder });
    const text = new GeneralTextMemory({ store, embedder });
    await text.add(["The user booked a window seat to Rome last year"], { userId: "maya" });
    await prefs.add(
      [
        "The user prefers window seats on flights",
        {
          memory: "The user likes quiet parts of the plane",
          metadata: {
            preference_type: "implicit_preference",
            reasoning: "always picks rows far from the galley",
          },
        },
      ],
      { userId: "maya" },
    );
    const hits = await prefs.search("window seat on the plane", { userId: "maya", topK: 10 });
    expect(hits.map((h) => h.item.metadata.memory_type)).toEqual(["PreferenceMemory", "PreferenceMemory"]);
    const implicitOnly = await prefs.search("window seat on the plane", {
      userId: "maya",
      preferenceType: "implicit_preference",
    });
    expect(implicitOnly.map((h) => h.item.memory)).toEqual(["The user likes quiet parts of the plane"]);

    expect(await prefs.getAll()).toHaveLength(2);
    expect(await prefs.deleteAll()).toBe(2);
    expect(await store.count()).toBe(1); // the text memory is still there
    await expect(prefs.get((await text.getAll())[0]?.id ?? "")).rejects.toThrow(/no preference/);
  });

  it("add() validates preference_type", async () => {
    const { prefs } = await fresh();
    await expect(
      prefs.add([{ memory: "x", metadata: { preference_type: "topic_preference" } }]),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});
