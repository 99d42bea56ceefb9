import { describe, expect, it } from "vitest";
import type { DistractorChat } from "./data.js";
import {
  chatSession,
  hostSession,
  insertionPoints,
  mulberry32,
  PREFERENCE_TURN_ID,
  placePreference,
} from "./insert.js";

const chat = (id: string, roles: string[]): DistractorChat => ({
  id,
  turns: roles.map((role, i) => ({ role, content: `${id} turn ${i + 1}` })),
});
const CHATS = [
  chat("a", ["user", "assistant", "user", "assistant"]),
  chat("b", ["user", "assistant"]),
  chat("c", ["user", "assistant", "user", "assistant", "user", "assistant"]),
];

describe("insertionPoints", () => {
  it("allows the start, the end and after each non-user turn, never inside an exchange", () => {
    expect(insertionPoints(CHATS[0]?.turns ?? [])).toEqual([0, 2, 4]);
    expect(insertionPoints([])).toEqual([0]);
    // Two user turns in a row: no point between them.
    expect(insertionPoints(chat("x", ["user", "user", "assistant"]).turns)).toEqual([0, 3]);
  });
});

describe("placePreference (seeded)", () => {
  it("is deterministic in seed, topic and index", () => {
    const item = { topic: "travel", index: 3 };
    expect(placePreference(item, CHATS, 7)).toEqual(placePreference(item, CHATS, 7));
    const a = [0, 1, 2, 3, 4, 5, 6, 7].map((index) => placePreference({ topic: "t", index }, CHATS, 1));
    const b = [0, 1, 2, 3, 4, 5, 6, 7].map((index) => placePreference({ topic: "t", index }, CHATS, 2));
    expect(a).not.toEqual(b);
  });

  it("picks a host chat and one of its insertion points, spreading over all chats", () => {
    const hosts = new Set<number>();
    for (let index = 0; index < 200; index++) {
      const p = placePreference({ topic: "t", index }, CHATS, 1);
      hosts.add(p.host);
      expect(insertionPoints(CHATS[p.host]?.turns ?? [])).toContain(p.position);
    }
    expect([...hosts].sort()).toEqual([0, 1, 2]);
  });

  it("puts the preference alone when there are no distractors", () => {
    expect(placePreference({ topic: "t", index: 0 }, [], 1)).toEqual({ host: -1, position: 0 });
    const s = hostSession([], { host: -1, position: 0 }, "I like tea.");
    expect(s.turns).toEqual([{ id: PREFERENCE_TURN_ID, role: "user", content: "I like tea." }]);
  });
});

describe("sessions", () => {
  it("inserts the preference as a user turn at the position; distractor ids stay as in the file", () => {
    const s = hostSession(CHATS, { host: 0, position: 2 }, "I avoid ferries.");
    expect(s.id).toBe("chat-1");
    expect(s.turns.map((t) => t.id)).toEqual(["C1:1", "C1:2", PREFERENCE_TURN_ID, "C1:3", "C1:4"]);
    expect(s.turns[2]).toMatchObject({ role: "user", content: "I avoid ferries." });
    // The shared chat is not modified.
    expect(chatSession(CHATS, 0).turns).toHaveLength(4);
  });

  it("gives each chat its own day, so memory texts do not depend on when the benchmark ran", () => {
    expect(chatSession(CHATS, 0).time).toBe("2024-01-01T10:00:00.000Z");
    expect(chatSession(CHATS, 2).time).toBe("2024-01-03T10:00:00.000Z");
  });
});

describe("mulberry32", () => {
  it("repeats for a seed and stays in [0, 1)", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 100; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
