import { describe, expect, it } from "vitest";
import type { LocomoSession } from "./data.js";
import { memoryDiaIds, mergeByScore, sessionMessages } from "./memos-system.js";

const session: LocomoSession = {
  index: 1,
  dateTime: "10:00 am on 3 March, 2024",
  turns: [
    { speaker: "Ada", diaId: "D1:1", text: "I fixed my bike." },
    { speaker: "Bruno", diaId: "D1:2", text: "Nice!" },
    { speaker: "Bruno", diaId: "D1:3", text: "  " },
  ],
};

describe("sessionMessages", () => {
  it("gives the point-of-view speaker the user role, the other the assistant role", () => {
    const forAda = sessionMessages(session, "Ada");
    expect(forAda).toEqual([
      {
        role: "user",
        content: "I fixed my bike.",
        speaker: "Ada",
        message_id: "D1:1",
        chat_time: "2024-03-03T10:00:00.000Z",
      },
      {
        role: "assistant",
        content: "Nice!",
        speaker: "Bruno",
        message_id: "D1:2",
        chat_time: "2024-03-03T10:00:00.000Z",
      },
    ]);
    expect(sessionMessages(session, "Bruno").map((m) => m.role)).toEqual(["assistant", "user"]);
  });
});

describe("memoryDiaIds", () => {
  it("reads turn ids from sources, in order, without repeats", () => {
    const item = {
      id: "m1",
      memory: "x",
      metadata: {
        sources: [
          { message_id: "D1:2" },
          { message_id: "D1:3" },
          { message_id: "D1:2" },
          { content: "no id" },
        ],
      },
    };
    expect(memoryDiaIds(item as Parameters<typeof memoryDiaIds>[0])).toEqual(["D1:2", "D1:3"]);
  });
});

describe("mergeByScore", () => {
  const r = (text: string, score: number) => ({ text, diaIds: [text], score });

  it("orders both lists by score, speaker A first on ties, and cuts at k", () => {
    const merged = mergeByScore([r("a1", 0.9), r("a2", 0.5)], [r("b1", 0.7), r("b2", 0.5)], 3);
    expect(merged.map((m) => m.text)).toEqual(["a1", "b1", "a2"]);
  });

  it("drops a memory whose text already appeared", () => {
    const merged = mergeByScore([r("same", 0.9), r("a2", 0.1)], [r("same", 0.8), r("b2", 0.5)], 10);
    expect(merged.map((m) => m.text)).toEqual(["same", "b2", "a2"]);
  });
});
