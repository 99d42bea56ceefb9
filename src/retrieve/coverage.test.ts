import { describe, expect, it } from "vitest";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { dropCovered, packTurns, turnKeys } from "./coverage.js";

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

/** A fast-reader window: a time header, then one line per turn. */
function window(id: string, turns: string[]): TextualMemoryItem {
  const w = item(id, turns);
  return {
    ...w,
    memory: ["Monday 3 March 2025, 10:00 am UTC", ...turns.map((t) => `Ada: line ${t}`)].join("\n"),
  };
}

describe("packTurns", () => {
  const pack = (xs: TextualMemoryItem[]) =>
    packTurns(
      xs,
      (x) => x,
      (_x, cut) => cut,
    );

  it("cuts a window down to the turns better results did not bring, header kept", () => {
    const [turn, cut] = pack([item("t2", ["D1:2"]), window("w", ["D1:1", "D1:2", "D1:3"])]);
    expect(turn?.id).toBe("t2");
    expect(cut?.id).toBe("w");
    expect(cut?.memory).toBe("Monday 3 March 2025, 10:00 am UTC\nAda: line D1:1\nAda: line D1:3");
    expect(cut?.metadata.sources.map((s) => s.message_id)).toEqual(["D1:1", "D1:3"]);
  });

  it("leaves a memory whole when its lines do not map to its turns, and drops a covered one", () => {
    const edited = { ...window("w", ["D1:1", "D1:2"]), memory: "Ada rode her bike and told Bruno." };
    const kept = pack([item("t1", ["D1:1"]), edited, item("t2", ["D1:2"])]);
    expect(kept.map((x) => x.memory)).toEqual(["D1:1", "Ada rode her bike and told Bruno."]);
  });
});
