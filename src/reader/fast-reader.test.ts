import { describe, expect, it } from "vitest";
import { ConfigError, InvalidInputError } from "../core/errors/index.js";
import { TextualMemoryItem } from "../core/schema/memory.js";
import type { ChatMessage } from "./chat-schema.js";
import { parseChatFile } from "./chat-schema.js";
import { FastMemReader } from "./fast-reader.js";
import { countTokens } from "./tokens.js";

const WORDS =
  "the a support group kids painting camping Berlin yesterday museum lake pottery friends adoption career counselling concert sunset dog".split(
    " ",
  );

/** A deterministic conversation with short, medium and very long turns, minutes apart. */
function conversation(n: number, seed = 7): ChatMessage[] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const base = Date.UTC(2023, 4, 8, 13, 56);
  return Array.from({ length: n }, (_, i) => {
    const long = i % 11 === 5;
    const words = long ? 400 : 2 + Math.floor(rand() * 40);
    const sentence = Array.from(
      { length: words },
      (_, w) => `${WORDS[Math.floor(rand() * WORDS.length)]}${w % 9 === 8 ? "." : ""}`,
    ).join(" ");
    const user = i % 2 === 0;
    return {
      role: user ? "user" : "assistant",
      speaker: user ? "Caroline" : "Melanie",
      content: `${sentence}.`,
      chat_time: new Date(base + i * 90 * 60_000).toISOString(),
      message_id: `m${i}`,
    };
  });
}

const ids = (item: TextualMemoryItem) => item.metadata.sources.map((s) => s.message_id);

describe("FastMemReader.readChat", () => {
  const ctx = { userId: "u1", sessionId: "s1", cubeId: "c1", now: "2024-01-01T00:00:00Z" };

  for (const [windowTokens, overlapTokens] of [
    [192, 48],
    [64, 16],
    [40, 0],
    [300, 120],
  ] as const) {
    it(`keeps windows within ${windowTokens} tokens, covers every message, overlaps only trailing turns (overlap ${overlapTokens})`, () => {
      const msgs = conversation(60);
      const items = new FastMemReader({ granularity: "window", windowTokens, overlapTokens }).readChat(
        msgs,
        ctx,
      );
      for (const item of items) {
        expect(countTokens(item.memory)).toBeLessThanOrEqual(windowTokens);
        expect(() => TextualMemoryItem.parse(item)).not.toThrow();
        expect(item.memory.split("\n").every((l) => l.trim() !== "")).toBe(true);
      }
      const seen = new Set(items.flatMap(ids));
      for (const m of msgs) expect(seen.has(m.message_id)).toBe(true);

      // A long message split over windows is still all there.
      const long = msgs[5] as ChatMessage;
      const parts = items.flatMap((i) => i.metadata.sources).filter((s) => s.message_id === long.message_id);
      const unique = [...new Map(parts.map((p) => [p.content, p.content])).values()];
      expect(unique.join(" ").replace(/\s+/g, " ")).toBe(long.content);

      for (let k = 1; k < items.length; k++) {
        const prev = (items[k - 1] as TextualMemoryItem).metadata.sources;
        const next = (items[k] as TextualMemoryItem).metadata.sources;
        const key = (x: (typeof prev)[number]) => `${x.message_id}|${x.content}`;
        const shared = next.filter((x) => prev.some((p) => key(p) === key(x)));
        // Shared turns are a suffix of the previous window and a prefix of the next one.
        expect(shared.map(key)).toEqual(prev.slice(prev.length - shared.length).map(key));
        expect(shared.map(key)).toEqual(next.slice(0, shared.length).map(key));
        expect(shared.length).toBeLessThan(prev.length); // never restarts at the same turn
        expect(shared.length).toBeLessThan(next.length); // always adds something new
        const sharedTokens = shared.reduce(
          (n, x) => n + countTokens(`${x.speaker}: ${(x.content ?? "").replace(/\s+/g, " ")}`),
          0,
        );
        expect(sharedTokens).toBeLessThanOrEqual(overlapTokens);
      }
    });
  }

  it("actually overlaps when trailing turns fit the budget", () => {
    const msgs = Array.from({ length: 12 }, (_, i) => ({
      role: i % 2 ? "assistant" : "user",
      content: `Short turn number ${i}.`,
      message_id: `m${i}`,
    }));
    const items = new FastMemReader({ granularity: "window", windowTokens: 48, overlapTokens: 16 }).readChat(
      msgs,
      ctx,
    );
    expect(items.length).toBeGreaterThan(2);
    for (let k = 1; k < items.length; k++) {
      const prev = ids(items[k - 1] as TextualMemoryItem);
      const next = ids(items[k] as TextualMemoryItem);
      expect(next[0]).toBe(prev[prev.length - 2]); // two short turns (≤ 16 tokens) repeated
    }
  });

  it("renders an absolute time header, speakers, and ISO times in sources", () => {
    const msgs = [
      {
        role: "user",
        speaker: "Caroline",
        content: "I went to a LGBTQ support group yesterday.",
        chat_time: "9:56 pm on 8 May, 2023",
      },
      {
        role: "assistant",
        speaker: "Melanie",
        content: "That's great!",
        chat_time: "10:10 pm on 8 May, 2023",
      },
      {
        role: "user",
        speaker: "Caroline",
        content: "It was powerful.",
        chat_time: "11:30 pm on 8 May, 2023",
      },
      { role: "assistant", content: "Tell me more.", chat_time: "1:05 am on 9 May, 2023" },
    ];
    const [item, ...rest] = new FastMemReader({ granularity: "window" }).readChat(msgs, ctx);
    expect(rest).toHaveLength(0);
    expect(item?.memory).toBe(
      [
        "Monday 8 May 2023, 9:56 pm UTC",
        // The relative date is resolved against the message time; the source keeps the words.
        "Caroline: I went to a LGBTQ support group yesterday [7 May 2023].",
        "Melanie: That's great!",
        "[11:30 pm] Caroline: It was powerful.",
        "[Tuesday 9 May 2023, 1:05 am UTC] Assistant: Tell me more.",
      ].join("\n"),
    );
    const md = item?.metadata;
    expect(md?.sources).toEqual([
      {
        type: "chat",
        role: "user",
        speaker: "Caroline",
        chat_time: "2023-05-08T21:56:00.000Z",
        message_id: "s1:0",
        content: msgs[0]?.content,
      },
      {
        type: "chat",
        role: "assistant",
        speaker: "Melanie",
        chat_time: "2023-05-08T22:10:00.000Z",
        message_id: "s1:1",
        content: "That's great!",
      },
      {
        type: "chat",
        role: "user",
        speaker: "Caroline",
        chat_time: "2023-05-08T23:30:00.000Z",
        message_id: "s1:2",
        content: "It was powerful.",
      },
      {
        type: "chat",
        role: "assistant",
        speaker: "Assistant",
        chat_time: "2023-05-09T01:05:00.000Z",
        message_id: "s1:3",
        content: "Tell me more.",
      },
    ]);
    expect(md).toMatchObject({
      user_id: "u1",
      session_id: "s1",
      cube_id: "c1",
      status: "activated",
      type: "fact",
      memory_type: "LongTermMemory",
      tags: ["mode:fast", "speaker:caroline", "speaker:melanie", "speaker:assistant"],
      source: "conversation",
      visibility: "private",
      background: "",
      confidence: 0.99,
      created_at: "2024-01-01T00:00:00.000Z",
      updated_at: "2024-01-01T00:00:00.000Z",
      valid_at: "2023-05-08T21:56:00.000Z",
      version: 1,
      history: [],
      usage: [],
      evolve_to: [],
    });
    expect(md?.key).toBe("Caroline: I went to a LGBTQ support group yesterday");
  });

  it("annotates relative dates against each message's own time; sources stay verbatim", () => {
    const msgs = [
      {
        role: "user",
        speaker: "Caroline",
        content: "I went  hiking yesterday.",
        chat_time: "2023-05-08T10:00:00Z",
      },
      {
        role: "assistant",
        speaker: "Melanie",
        content: "Nice! I'll paint next Friday.",
        chat_time: "2023-05-08T10:05:00Z",
      },
      {
        role: "user",
        speaker: "Caroline",
        content: "Two days ago I met Jo.",
        chat_time: "2023-05-20T09:00:00Z",
      },
    ];
    const items = new FastMemReader({ granularity: "window" }).readChat(msgs, ctx);
    expect(items.map((i) => i.memory)).toEqual([
      "Monday 8 May 2023, 10:00 am UTC\nCaroline: I went hiking yesterday [7 May 2023].\nMelanie: Nice! I'll paint next Friday [19 May 2023].",
      "Saturday 20 May 2023, 9:00 am UTC\nCaroline: Two days ago [18 May 2023] I met Jo.",
    ]);
    expect(items.flatMap((i) => i.metadata.sources.map((s) => s.content))).toEqual(
      msgs.map((m) => m.content),
    );
    expect(items[0]?.metadata.key).toBe("Melanie: Nice! I'll paint next Friday");

    const plain = new FastMemReader({ granularity: "window", resolveDates: false }).readChat(msgs, ctx);
    expect(plain[0]?.memory).toContain("Caroline: I went hiking yesterday.\n");
  });

  it("keeps date-dense turns within small windows, annotations counted", () => {
    const content = Array.from(
      { length: 30 },
      (_, i) => `yesterday ${i % 2 ? "and last week" : "or two days ago"}.`,
    ).join(" ");
    const msgs = [{ role: "user", content, chat_time: "2023-05-08T10:00:00Z", message_id: "m0" }];
    for (const windowTokens of [40, 64, 128]) {
      const items = new FastMemReader({ granularity: "window", windowTokens, overlapTokens: 0 }).readChat(
        msgs,
        ctx,
      );
      for (const item of items) expect(countTokens(item.memory)).toBeLessThanOrEqual(windowTokens);
      expect(items.some((i) => i.memory.includes("[7 May 2023]"))).toBe(true);
      const pieces = items.flatMap((i) => i.metadata.sources.map((s) => s.content ?? ""));
      expect(pieces.join(" ").replace(/\s+/g, " ")).toBe(content);
    }
  });

  it("labels windows of user turns only as UserMemory, others as LongTermMemory", () => {
    const reader = new FastMemReader({ granularity: "window" });
    const t = "2023-05-08T10:00:00Z";
    const userOnly = reader.readChat(
      [
        { role: "user", content: "I like tea", chat_time: t },
        { role: "User", content: "and cake" },
      ],
      ctx,
    );
    expect(userOnly.map((i) => i.metadata.memory_type)).toEqual(["UserMemory"]);
    const mixed = reader.readChat(
      [
        { role: "user", content: "I like tea" },
        { role: "assistant", content: "Noted" },
      ],
      ctx,
    );
    expect(mixed.map((i) => i.metadata.memory_type)).toEqual(["LongTermMemory"]);
  });

  it("fills missing times from the previous message, else ctx.now; date-only times show no clock", () => {
    const items = new FastMemReader({ granularity: "window" }).readChat(
      [
        { role: "user", content: "first" },
        { role: "user", content: "second", chat_time: "2023-05-09" },
        { role: "user", content: "third" },
      ],
      { now: "2024-02-03T04:05:00Z" },
    );
    expect(items).toHaveLength(1);
    expect(items[0]?.metadata.sources.map((s) => s.chat_time)).toEqual([
      "2024-02-03T04:05:00.000Z",
      "2023-05-09T00:00:00.000Z",
      "2023-05-09T00:00:00.000Z",
    ]);
    expect(items[0]?.memory).toBe(
      "Saturday 3 February 2024, 4:05 am UTC\nUser: first\n[Tuesday 9 May 2023] User: second\nUser: third",
    );
  });

  it("reads the session-list file shape with LoCoMo times end to end", () => {
    const file = JSON.stringify([
      {
        session_id: "1",
        chat_time: "1:56 pm on 8 May, 2023",
        messages: [{ role: "user", speaker: "Caroline", content: "Hey Mel!" }],
      },
      {
        session_id: "2",
        chat_time: "1:14 pm on 25 May, 2023",
        messages: [{ role: "user", speaker: "Melanie", content: "Hi!" }],
      },
    ]);
    const items = new FastMemReader({ granularity: "window" }).readChat(parseChatFile(file), {});
    // Sessions weeks apart never share a window, so each window's header and valid_at hold for all of it.
    expect(items.map((i) => i.memory)).toEqual([
      "Monday 8 May 2023, 1:56 pm UTC\nCaroline: Hey Mel!",
      "Thursday 25 May 2023, 1:14 pm UTC\nMelanie: Hi!",
    ]);
    expect(items.map((i) => i.metadata.valid_at)).toEqual([
      "2023-05-08T13:56:00.000Z",
      "2023-05-25T13:14:00.000Z",
    ]);
  });

  it("is deterministic apart from ids and creation times", () => {
    const msgs = conversation(30, 3);
    const strip = (items: TextualMemoryItem[]) =>
      items.map((i) => ({ ...i, id: "", metadata: { ...i.metadata, created_at: "", updated_at: "" } }));
    const reader = new FastMemReader({ granularity: "window", windowTokens: 96, overlapTokens: 24 });
    expect(strip(reader.readChat(msgs, { sessionId: "x" }))).toEqual(
      strip(reader.readChat(msgs, { sessionId: "x" })),
    );
  });

  it("splits messages above maxMessageTokens", () => {
    const content = Array.from({ length: 20 }, (_, i) => `Sentence number ${i} is here.`).join(" ");
    const items = new FastMemReader({ granularity: "window", maxMessageTokens: 30 }).readChat(
      [{ role: "user", content }],
      ctx,
    );
    const pieces = items.flatMap((i) => i.metadata.sources.map((s) => s.content ?? ""));
    for (const p of pieces) expect(countTokens(p)).toBeLessThanOrEqual(30);
    expect(new Set(pieces).size).toBeGreaterThan(1);
  });

  it("rejects bad input and bad sizes", () => {
    const reader = new FastMemReader({ granularity: "window" });
    expect(() => reader.readChat([], ctx)).toThrow(InvalidInputError);
    expect(() => reader.readChat([{ role: "user", content: " " }], ctx)).toThrow(
      /messages\[0\]\.content must be a non-empty string/,
    );
    expect(() => reader.readChat([{ role: "user", content: "x", chat_time: "sometime" }], ctx)).toThrow(
      /messages\[0\]\.chat_time "sometime"/,
    );
    expect(() => reader.readChat([{ role: "user", content: "x" }], { now: "never" })).toThrow(
      InvalidInputError,
    );
    expect(() => new FastMemReader({ windowTokens: 10 })).toThrow(ConfigError);
    expect(() => new FastMemReader({ windowTokens: 64, overlapTokens: 64 })).toThrow(ConfigError);
    expect(new FastMemReader({ granularity: "window", windowTokens: 64 }).sizes).toEqual({
      windowTokens: 64,
      overlapTokens: 32,
      maxMessageTokens: undefined,
    });
    expect(new FastMemReader({ granularity: "window" }).sizes).toEqual({
      windowTokens: 192,
      overlapTokens: 48,
      maxMessageTokens: undefined,
    });
  });
});
