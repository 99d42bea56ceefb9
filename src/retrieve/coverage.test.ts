import { describe, expect, it } from "vitest";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { dropCovered, turnKeys } from "./coverage.js";

function item(id: string, turns: string[]): TextualMemoryItem {
  return {
    id,
    memory: turns.join("\n"),
    metadata: {
      sources: turns.map((t) => ({ type: "chat", role: "user", message_id: t, content: `text of ${t}` })),
    },
  } as unknown as TextualMemoryItem;
}

describe("dropCovered", () => {
  it("drops a turn after the window holding it, and a window after all its turns", () => {
    const window = item("w", ["D1:1", "D1:2", "D1:3"]);
    const turn2 = item("t2", ["D1:2"]);
    const turn9 = item("t9", ["D2:9"]);
    const window2 = item("w2", ["D2:9", "D1:3"]);
    const kept = dropCovered([window, turn2, turn9, window2], (x) => x);
    expect(kept.map((x) => x.id)).toEqual(["w", "t9"]);
  });

  it("keeps a window that adds a new turn, and memories without chat turns", () => {
    const doc = { id: "doc", memory: "a chunk", metadata: { sources: [] } } as unknown as TextualMemoryItem;
    const kept = dropCovered([item("t1", ["D1:1"]), item("w", ["D1:1", "D1:2"]), doc, doc], (x) => x);
    expect(kept.map((x) => x.id)).toEqual(["t1", "w", "doc", "doc"]);
    expect(turnKeys(doc)).toEqual([]);
  });
});
