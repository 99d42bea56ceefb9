import { describe, expect, it } from "vitest";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { ChatMessage } from "../reader/index.js";
import { FastMemReader } from "../reader/index.js";
import { cutWindow } from "./coverage.js";
import { focusOnNamedSpeaker, focusWindow, namedSpeaker } from "./speaker-focus.js";

/** One fast-reader window over `lines` ("Speaker: text"), all said at `time` unless a line says `@ISO text`. */
function window(lines: string[], time = "2023-05-08T10:00:00Z"): TextualMemoryItem {
  const messages: ChatMessage[] = lines.map((l) => {
    const at = /^@(\S+) /.exec(l);
    const rest = at ? l.slice(at[0].length) : l;
    const [speaker, content] = rest.split(": ") as [string, string];
    return { role: "user", speaker, content, chat_time: at?.[1] ?? time };
  });
  const [item, ...more] = new FastMemReader({ granularity: "window" }).readChat(messages);
  expect(more).toEqual([]);
  return item as TextualMemoryItem;
}

const talk = window([
  "Melanie: How long have you been painting?",
  "Caroline: Since I was 17, it helps me relax.",
  "Melanie: That's lovely. The weather was awful today.",
  "Melanie: We had to cancel the picnic.",
  "Caroline: I also joined a pottery class.",
]);

describe("namedSpeaker", () => {
  it("finds the one speaker a question names, by whole words", () => {
    expect(namedSpeaker("What does Caroline paint?", [talk])).toBe("Caroline");
    expect(namedSpeaker("what does caroline paint", [talk])).toBe("Caroline");
    expect(namedSpeaker("What does Carol paint?", [talk])).toBeUndefined();
  });

  it("names nobody when the question names both speakers, or none", () => {
    expect(namedSpeaker("What did Melanie tell Caroline?", [talk])).toBeUndefined();
    expect(namedSpeaker("Who likes pottery?", [talk])).toBeUndefined();
  });

  it("reads a speaker's first name, and names nobody when two share it", () => {
    const w = window(["Maya Lin: I run every morning.", "Tom: Nice!"]);
    expect(namedSpeaker("How often does Maya run?", [w])).toBe("Maya Lin");
    const two = window(["Maya Lin: I run.", "Maya Chen: I swim."]);
    expect(namedSpeaker("How often does Maya run?", [two])).toBeUndefined();
  });
});

describe("focusWindow", () => {
  it("keeps the named speaker's turns, each with the question put to them", () => {
    const cut = focusWindow(talk, "Caroline") as TextualMemoryItem;
    expect(cut.memory.split("\n")).toEqual([
      talk.memory.split("\n")[0],
      "Melanie: How long have you been painting?",
      "Caroline: Since I was 17, it helps me relax.",
      "Caroline: I also joined a pottery class.",
    ]);
    expect(cut.metadata.sources.map((s) => s.content)).toEqual([
      "How long have you been painting?",
      "Since I was 17, it helps me relax.",
      "I also joined a pottery class.",
    ]);
    expect(cut.id).toBe(talk.id);
  });

  it("leaves a window alone when the speaker says nothing in it or all of it", () => {
    expect(focusWindow(talk, "Ada")).toBeUndefined();
    expect(focusWindow(window(["Caroline: One.", "Caroline: Two."]), "Caroline")).toBeUndefined();
  });

  it("leaves a memory that is not a fast-reader window alone", () => {
    const fact = { ...talk, memory: "Caroline paints." } as TextualMemoryItem;
    expect(focusWindow(fact, "Caroline")).toBeUndefined();
  });

  it("is applied to every window when the query names one speaker, and to none otherwise", () => {
    const hits = [{ item: talk, score: 1 }];
    const focus = (q: string) =>
      focusOnNamedSpeaker(
        q,
        hits,
        (h) => h.item,
        (h, item) => ({ ...h, item }),
      )[0]?.item.metadata.sources.length;
    expect(focus("What does Caroline paint?")).toBe(3);
    expect(focus("What does Melanie cancel?")).toBe(3);
    expect(focus("What did Caroline tell Melanie?")).toBe(5);
  });
});

describe("cutWindow", () => {
  // The reader ends a window at 4 hours of silence, so a day changes inside one only near midnight.
  const late = window([
    "@2023-05-08T23:00:00Z Ada: Hello there.",
    "@2023-05-09T00:10:00Z Bob: Past midnight.",
    "@2023-05-09T00:15:00Z Ada: Still up.",
    "@2023-05-09T01:30:00Z Bob: Much later.",
    "@2023-05-09T01:35:00Z Ada: Going to sleep.",
  ]);

  it("writes out a kept line's own time when the line that showed it was cut", () => {
    expect(late.memory.split("\n")).toEqual([
      "Monday 8 May 2023, 11:00 pm UTC",
      "Ada: Hello there.",
      "[Tuesday 9 May 2023, 12:10 am UTC] Bob: Past midnight.",
      "Ada: Still up.",
      "[1:30 am] Bob: Much later.",
      "Ada: Going to sleep.",
    ]);
    expect(cutWindow(late, [true, false, true, false, true]).memory.split("\n")).toEqual([
      "Monday 8 May 2023, 11:00 pm UTC",
      "Ada: Hello there.",
      "[Tuesday 9 May 2023, 12:15 am UTC] Ada: Still up.",
      "[1:35 am] Ada: Going to sleep.",
    ]);
  });

  it("gives a kept clock-only line its day when the day change was cut", () => {
    expect(cutWindow(late, [true, false, false, true, false]).memory.split("\n")).toEqual([
      "Monday 8 May 2023, 11:00 pm UTC",
      "Ada: Hello there.",
      "[Tuesday 9 May 2023, 1:30 am UTC] Bob: Much later.",
    ]);
  });

  it("keeps a line's own time as it is", () => {
    expect(cutWindow(late, [false, true, false, true, false]).memory.split("\n").slice(1)).toEqual([
      "[Tuesday 9 May 2023, 12:10 am UTC] Bob: Past midnight.",
      "[1:30 am] Bob: Much later.",
    ]);
  });
});
