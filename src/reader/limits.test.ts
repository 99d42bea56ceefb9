import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { mulberry32 } from "../core/math/random.js";
import { parseChatSessions, validateChatMessages } from "./chat-schema.js";
import { chunkDocument } from "./document.js";
import { FastMemReader } from "./fast-reader.js";
import { MAX_MESSAGE_BYTES, MAX_REQUEST_BYTES, SEGMENT_SLICE_CHARS } from "./limits.js";
import { boundedSlices, splitSentences, splitToBudget } from "./text.js";
import { countTokens } from "./tokens.js";
import { DEFAULT_WINDOW_TOKENS } from "./types.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

const WORDS = "the market apples Sam trip Lisbon week garden river morning coffee friend book train".split(
  " ",
);

/** Prose with sentences and paragraphs, numbered so that every sentence is unique. */
function prose(chars: number, seed = 1): string {
  const rand = mulberry32(seed);
  let out = "";
  for (let n = 0; out.length < chars; n++) {
    const words = Array.from(
      { length: 6 + Math.floor(rand() * 10) },
      () => WORDS[Math.floor(rand() * WORDS.length)],
    );
    out += `Note${n} ${words.join(" ")}.${rand() < 0.1 ? "\n\n" : " "}`;
  }
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("reading limits", () => {
  it("refuses one message over MAX_MESSAGE_BYTES with a typed error and a hint", () => {
    const big = "a ".repeat(MAX_MESSAGE_BYTES / 2 + 1);
    const error = thrown(() => validateChatMessages([{ role: "user", content: big }]));
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).message).toMatch(
      /messages\[0\]\.content is 8(\.0)? MiB, over the 8 MiB limit/,
    );
    expect((error as InvalidInputError).hint).toMatch(/split it/);
  });

  it("refuses messages over MAX_REQUEST_BYTES together, in a list and in a chat file", () => {
    const part = "b".repeat(MAX_MESSAGE_BYTES - 16);
    const n = Math.ceil(MAX_REQUEST_BYTES / part.length) + 1;
    const messages = Array.from({ length: n }, () => ({ role: "user", content: part }));
    const error = thrown(() => validateChatMessages(messages));
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).message).toMatch(
      /more than 32 MiB of text, the limit for one request/,
    );
    const sessions = messages.map((m, i) => ({ session_id: `s${i}`, messages: [m] }));
    const fromFile = thrown(() => parseChatSessions(JSON.stringify(sessions), "big.json"));
    expect(InvalidInputError.isInstance(fromFile)).toBe(true);
    expect((fromFile as InvalidInputError).message).toContain("file big.json");
  });

  it("refuses a document over MAX_REQUEST_BYTES", () => {
    const doc = "word ".repeat(MAX_REQUEST_BYTES / 5 + 1);
    const error = thrown(() => chunkDocument(doc, { docPath: "huge.txt" }));
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).message).toContain("document huge.txt");
  });

  it("never hands Intl.Segmenter more than SEGMENT_SLICE_CHARS at once, whatever the text", () => {
    const seen: number[] = [];
    const original = Intl.Segmenter.prototype.segment;
    vi.spyOn(Intl.Segmenter.prototype, "segment").mockImplementation(function (this: Intl.Segmenter, input) {
      seen.push(String(input).length);
      return original.call(this, input);
    });
    const text = prose(60_000);
    const sentences = splitSentences(text);
    expect(sentences.join("")).toBe(text);
    // One paragraph without any sentence break: words must be sliced too.
    const pieces = splitToBudget(`${"lorem ipsum ".repeat(6000)}`, 64);
    expect(pieces.every((p) => countTokens(p) <= 64)).toBe(true);
    expect(seen.length).toBeGreaterThan(2);
    expect(Math.max(...seen)).toBeLessThanOrEqual(SEGMENT_SLICE_CHARS);
  });

  it("slices at whitespace, in order, and gives back the text exactly", () => {
    const text = prose(20_000, 3);
    const slices = boundedSlices(text, 1000);
    expect(slices.join("")).toBe(text);
    expect(slices.every((s) => s.length <= 1000)).toBe(true);
    expect(slices.slice(0, -1).every((s) => /\s$/.test(s))).toBe(true);
    // No whitespace at all (a blob): hard cuts, still exact, never splitting a surrogate pair.
    const blob = "😀".repeat(3000);
    const cut = boundedSlices(blob, 999);
    expect(cut.join("")).toBe(blob);
    expect(cut.every((s) => !/[\uD800-\uDBFF]$/.test(s))).toBe(true);
  });

  it("chunks a long message into windows and drops none of it", () => {
    const text = prose(120_000, 5);
    const items = new FastMemReader().readChat([{ role: "user", content: text, message_id: "m1" }], {
      now: "2024-01-01T00:00:00Z",
    });
    expect(items.length).toBeGreaterThan(100);
    const stored = items.flatMap((i) => i.metadata.sources?.map((s) => s.content) ?? []).join(" ");
    const notes = text.match(/Note\d+/g) ?? [];
    const missing = notes.filter((n) => !new RegExp(`\\b${n}\\b`).test(stored));
    expect(notes.length).toBeGreaterThan(1000);
    expect(missing).toEqual([]);
    expect(items.every((i) => countTokens(i.memory) <= DEFAULT_WINDOW_TOKENS)).toBe(true);
  });
});
