import { describe, expect, it } from "vitest";
import { InvalidInputError, LLMOutputError, ProviderError } from "../core/errors/index.js";
import type { LLMMessage } from "../core/interfaces/language-model.js";
import { TextualMemoryItem } from "../core/schema/memory.js";
import { toGrammarSchema } from "../providers/llama-cpp/llama-cpp-grammar.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";
import type { ChatMessage } from "./chat-schema.js";
import { FastMemReader } from "./fast-reader.js";
import { type FineFallback, FineMemReader } from "./fine-reader.js";

const ctx = { userId: "u1", sessionId: "s1", cubeId: "c1", now: "2024-01-01T00:00:00Z" };

const CHAT: ChatMessage[] = [
  {
    role: "user",
    speaker: "Caroline",
    content: "I went to a LGBTQ support group yesterday.",
    chat_time: "1:56 pm on 8 May, 2023",
    message_id: "m1",
  },
  {
    role: "assistant",
    speaker: "Melanie",
    content: "That's great! I'm painting a sunset next week.",
    chat_time: "2:01 pm on 8 May, 2023",
    message_id: "m2",
  },
];

const EXTRACTED = {
  memories: [
    {
      key: "Support group visit",
      memory_type: "UserMemory",
      value: "Caroline went to an LGBTQ support group on 7 May 2023.",
      tags: ["Support Group", "LGBTQ", "mode:fast"],
    },
    {
      key: "Painting plan",
      memory_type: "LongTermMemory",
      value: "Melanie plans to paint a sunset in the week of 15 May 2023.",
      tags: ["painting"],
    },
  ],
  background: "Caroline and Melanie catch up about their week.",
};

const userText = (messages: LLMMessage[]) => messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
const ids = (items: TextualMemoryItem[]) => [
  ...new Set(items.flatMap((i) => i.metadata.sources.map((s) => s.message_id))),
];

describe("FineMemReader.readChat", () => {
  it("turns the model's memories into items with the window's sources, background and mode:fine", async () => {
    const llm = createScriptedLanguageModel([{ match: "Conversation:", reply: EXTRACTED }]);
    const reader = new FineMemReader({ llm });
    const items = await reader.readChat(CHAT, ctx);

    expect(items.map((i) => [i.memory, i.metadata.key, i.metadata.memory_type, i.metadata.tags])).toEqual([
      [
        EXTRACTED.memories[0]?.value,
        "Support group visit",
        "UserMemory",
        ["support group", "lgbtq", "mode:fine"],
      ],
      [EXTRACTED.memories[1]?.value, "Painting plan", "LongTermMemory", ["painting", "mode:fine"]],
    ]);
    // Same provenance as the fast reader gives the same window: every turn, words as written.
    const fast = new FastMemReader({ granularity: "window", windowTokens: 1024 }).readChat(CHAT, ctx);
    for (const item of items) {
      expect(() => TextualMemoryItem.parse(item)).not.toThrow();
      expect(item.metadata.sources).toEqual(fast[0]?.metadata.sources);
      expect(item.metadata).toMatchObject({
        user_id: "u1",
        session_id: "s1",
        cube_id: "c1",
        status: "activated",
        type: "fact",
        source: "conversation",
        confidence: 0.99,
        background: EXTRACTED.background,
        valid_at: "2023-05-08T13:56:00.000Z",
        created_at: "2024-01-01T00:00:00.000Z",
        version: 1,
        evolve_to: [],
      });
    }
    expect(new Set(items.map((i) => i.id)).size).toBe(2);
    expect(reader.stats).toEqual({ windows: 1, fine: 1, fallbacks: 0, errors: 0 });
  });

  it("tells the model the absolute time, the speakers and who the user is, with the lines as written", async () => {
    const llm = createScriptedLanguageModel([{ match: "Conversation:", reply: EXTRACTED }]);
    await new FineMemReader({ llm }).readChat(CHAT, ctx);
    const call = llm.calls[0];
    const prompt = userText(call?.messages ?? []);
    expect(prompt).toContain("Monday 8 May 2023, 1:56 pm UTC (2023-05-08T13:56:00.000Z)");
    expect(prompt).toContain("- Caroline (role: user)");
    expect(prompt).toContain("- Melanie (role: assistant)");
    expect(prompt).toContain("The user: Caroline.");
    expect(prompt).toContain("Caroline: I went to a LGBTQ support group yesterday.");
    expect(prompt).not.toContain("[7 May 2023]"); // the model resolves dates itself
    const system = call?.messages[0]?.content ?? "";
    expect(system).toMatch(/third person/i);
    expect(system).toMatch(/relative time/i);
    expect(system).toMatch(/UserMemory/);

    // A closed, bounded schema a grammar can express.
    const format = call?.options.responseFormat;
    const schema = format?.type === "json" ? format.schema : undefined;
    expect(schema).toMatchObject({
      additionalProperties: false,
      properties: {
        memories: {
          maxItems: 20,
          items: { additionalProperties: false, properties: { value: { maxLength: 600 } } },
        },
      },
    });
    expect(toGrammarSchema(schema ?? {})).toBeDefined();
  });

  it("falls back to fast items for a window the model fails on, and reports it", async () => {
    const seen: FineFallback[] = [];
    // Invalid JSON twice (the answer and the repair turn) → LLMOutputError.
    const llm = createScriptedLanguageModel([{ match: () => true, reply: "I'd rather not." }]);
    const reader = new FineMemReader({ llm, onFallback: (f) => seen.push(f) });
    const report = await reader.readChatReport(CHAT, ctx);

    expect(report.windows).toBe(1);
    expect(report.fine).toBe(0);
    expect(report.items.length).toBeGreaterThan(0);
    for (const item of report.items) {
      expect(item.metadata.tags).toContain("mode:fast");
      expect(item.metadata.tags).not.toContain("mode:fine");
    }
    // Nothing said is lost: every message is in a kept item, verbatim.
    expect(ids(report.items)).toEqual(["m1", "m2"]);
    expect(report.items.flatMap((i) => i.metadata.sources.map((s) => s.content))).toEqual(
      expect.arrayContaining(CHAT.map((m) => m.content)),
    );
    expect(report.fallbacks).toHaveLength(1);
    const f = report.fallbacks[0];
    expect(f).toMatchObject({ kind: "chat", reason: "llm_error", messageIds: ["m1", "m2"] });
    expect(LLMOutputError.isInstance(f?.error)).toBe(true);
    expect(f?.keptIds).toEqual(report.items.map((i) => i.id));
    expect(seen).toEqual(report.fallbacks);
    expect(reader.stats).toEqual({ windows: 1, fine: 0, fallbacks: 1, errors: 1 });
  });

  it("falls back on a provider error and on an empty answer; other errors are thrown", async () => {
    // No rule matches → ProviderError.
    const down = new FineMemReader({ llm: createScriptedLanguageModel([]) });
    const r1 = await down.readChatReport(CHAT, ctx);
    expect(ProviderError.isInstance(r1.fallbacks[0]?.error)).toBe(true);
    expect(ids(r1.items)).toEqual(["m1", "m2"]);

    const quiet = new FineMemReader({
      llm: createScriptedLanguageModel([{ match: "Conversation:", reply: { memories: [], background: "" } }]),
    });
    const r2 = await quiet.readChatReport(CHAT, ctx);
    expect(r2.fallbacks.map((f) => f.reason)).toEqual(["empty"]);
    expect(r2.items.every((i) => i.metadata.tags.includes("mode:fast"))).toBe(true);
    expect(ids(r2.items)).toEqual(["m1", "m2"]);
    expect(quiet.stats).toEqual({ windows: 1, fine: 0, fallbacks: 1, errors: 0 });

    const broken = new FineMemReader({
      llm: createScriptedLanguageModel([
        {
          match: "Conversation:",
          reply: () => {
            throw new TypeError("bug");
          },
        },
      ]),
    });
    await expect(broken.readChat(CHAT, ctx)).rejects.toThrow(TypeError);
    await expect(broken.readChat([], ctx)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("reads many windows, keeping order, and falls back only where the model failed", async () => {
    const msgs: ChatMessage[] = Array.from({ length: 12 }, (_, i) => ({
      role: i % 2 ? "assistant" : "user",
      speaker: i % 2 ? "Melanie" : "Caroline",
      content: `Turn ${i}: ${i === 7 ? "POISON " : ""}something worth remembering about topic ${i}.`,
      chat_time: new Date(Date.UTC(2023, 4, 8, 13, i)).toISOString(),
      message_id: `m${i}`,
    }));
    const llm = createScriptedLanguageModel([
      { match: "POISON", reply: "not json" },
      {
        match: "Conversation:",
        reply: (messages) => {
          const turns = [...userText(messages).matchAll(/Turn (\d+):/g)].map((m) => m[1]);
          return {
            memories: turns.map((t) => ({
              key: `t${t}`,
              memory_type: "LongTermMemory",
              value: `Fact ${t}.`,
              tags: [],
            })),
            background: "",
          };
        },
      },
    ]);
    const reader = new FineMemReader({ llm, windowTokens: 64, overlapTokens: 0, concurrency: 3 });
    const report = await reader.readChatReport(msgs, ctx);
    expect(report.windows).toBeGreaterThan(3);
    expect(report.fallbacks).toHaveLength(1);
    expect(report.fallbacks[0]?.messageIds).toContain("m7");
    expect(report.fine).toBe(report.windows - 1);
    // Every message is covered, by a fine item or by the fallback's fast items.
    expect(ids(report.items).sort()).toEqual(msgs.map((m) => m.message_id).sort());
    // Output follows the conversation, whatever order the calls finished in.
    const firstSource = report.items.map((i) => Number(i.metadata.sources[0]?.message_id?.slice(1)));
    expect(firstSource).toEqual([...firstSource].sort((a, b) => a - b));
  });
});

describe("FineMemReader.upgradeFastItems", () => {
  it("maps each fast item to fine successors rebuilt from its sources", async () => {
    const msgs: ChatMessage[] = Array.from({ length: 8 }, (_, i) => ({
      role: i % 2 ? "assistant" : "user",
      speaker: i % 2 ? "Melanie" : "Caroline",
      content: `Message ${i} talks about hobby number ${i} in some detail.`,
      chat_time: new Date(Date.UTC(2023, 4, 8, 13, i)).toISOString(),
      message_id: `m${i}`,
    }));
    const fast = new FastMemReader({ granularity: "window", windowTokens: 48, overlapTokens: 0 }).readChat(
      msgs,
      ctx,
    );
    expect(fast.length).toBeGreaterThan(2);
    const llm = createScriptedLanguageModel([
      { match: "Message 5 ", reply: "garbage" },
      {
        match: "Conversation:",
        reply: (messages) => ({
          memories: [...userText(messages).matchAll(/Message (\d+) /g)].map((m) => ({
            key: `hobby ${m[1]}`,
            memory_type: "UserMemory",
            value: `Someone has hobby ${m[1]}.`,
            tags: ["hobby"],
          })),
          background: "Hobbies.",
        }),
      },
    ]);
    const seen: FineFallback[] = [];
    const reader = new FineMemReader({ llm, onFallback: (f) => seen.push(f) });
    const upgrades = await reader.upgradeFastItems(fast, { now: "2024-02-02T00:00:00Z" });

    const failed = fast.filter((f) => f.metadata.sources.some((s) => s.message_id === "m5"));
    expect(failed).toHaveLength(1);
    expect(upgrades.map((u) => u.from)).toEqual(fast.filter((f) => !failed.includes(f)).map((f) => f.id));
    for (const { from, to } of upgrades) {
      const item = fast.find((f) => f.id === from) as TextualMemoryItem;
      expect(to.length).toBe(item.metadata.sources.length);
      for (const t of to) {
        expect(t.metadata.tags).toEqual(["hobby", "mode:fine"]);
        expect(t.metadata.sources).toEqual(item.metadata.sources); // same turns, verbatim
        expect(t.metadata).toMatchObject({
          user_id: "u1",
          cube_id: "c1",
          session_id: "s1",
          valid_at: item.metadata.valid_at,
          created_at: "2024-02-02T00:00:00.000Z",
          memory_type: "UserMemory",
        });
      }
    }
    expect(seen).toEqual([
      expect.objectContaining({ kind: "upgrade", reason: "llm_error", keptIds: [failed[0]?.id] }),
    ]);
    expect(reader.stats.errors).toBe(1);
  });

  it("skips fine items and items without sources, and upgrades document chunks with their page", async () => {
    const llm = createScriptedLanguageModel([
      {
        match: "Text:",
        reply: {
          memories: [{ key: "Budget", value: "The budget is 4 million euros.", tags: ["Budget"] }],
          background: "Money.",
        },
      },
    ]);
    const reader = new FineMemReader({ llm });
    const [chunk] = new FastMemReader({ granularity: "window" })
      .readDocument("Hello\fThe budget is 4 million euros.", {
        docPath: "r.pdf",
        format: "pdf",
      })
      .slice(1);
    const fine = {
      id: "f1",
      memory: "x",
      metadata: { tags: ["mode:fine"], sources: [] },
    } as unknown as TextualMemoryItem;
    const bare = {
      id: "b1",
      memory: "x",
      metadata: { tags: ["mode:fast"], sources: [] },
    } as unknown as TextualMemoryItem;
    const upgrades = await reader.upgradeFastItems([fine, chunk as TextualMemoryItem, bare], ctx);
    expect(upgrades).toHaveLength(1);
    expect(upgrades[0]?.from).toBe(chunk?.id);
    expect(upgrades[0]?.to[0]?.metadata).toMatchObject({
      key: "Budget",
      tags: ["budget", "doc", "mode:fine"],
      source: "file",
      memory_type: "LongTermMemory",
      sources: [{ type: "doc", doc_path: "r.pdf", page: 2, content: "The budget is 4 million euros." }],
    });
    expect(userText(llm.calls[0]?.messages ?? [])).toContain("Document: r.pdf\nPage: 2");
    expect(reader.stats.fallbacks).toBe(2);
  });
});

describe("FineMemReader.readDocument", () => {
  it("extracts facts per chunk and keeps a failed chunk as fast chunk items", async () => {
    const doc = [
      "# Handbook",
      "## Leave",
      "Employees get 30 days of paid leave per year.",
      "## Travel",
      "FAIL Travel is booked through the portal.",
    ].join("\n\n");
    const llm = createScriptedLanguageModel([
      { match: "FAIL", reply: "{" },
      {
        match: "Text:",
        reply: {
          memories: [{ key: "Leave", value: "Employees get 30 days of paid leave per year.", tags: [] }],
          background: "",
        },
      },
    ]);
    const reader = new FineMemReader({ llm, windowTokens: 48, overlapTokens: 0 });
    const report = await reader.readDocumentReport(doc, { docPath: "hb.md" }, ctx);
    expect(report.windows).toBe(2);
    expect(report.items.map((i) => [i.memory, i.metadata.tags])).toEqual([
      ["Employees get 30 days of paid leave per year.", ["doc", "mode:fine"]],
      ["Handbook > Travel\nFAIL Travel is booked through the portal.", ["mode:fast", "doc"]],
    ]);
    expect(report.items[0]?.metadata.sources).toEqual([
      {
        type: "doc",
        doc_path: "hb.md",
        content: "Handbook > Leave\nEmployees get 30 days of paid leave per year.",
      },
    ]);
    expect(report.fallbacks).toEqual([
      expect.objectContaining({ kind: "document", reason: "llm_error", docPath: "hb.md" }),
    ]);
    await expect(reader.readDocument("   ", { docPath: "e.md" })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
