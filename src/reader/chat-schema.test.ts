import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../core/errors/index.js";
import { decodeUtf8Strict, parseChatFile, parseChatSessions, validateChatMessages } from "./chat-schema.js";

function errorOf(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (e) {
    if (InvalidInputError.isInstance(e)) return e;
    throw e;
  }
  throw new Error("expected an InvalidInputError");
}

describe("parseChatFile", () => {
  const m = (content: string, extra: object = {}) => ({ role: "user", content, ...extra });

  it("accepts a plain array and {messages: [...]}", () => {
    const arr = [m("hi"), { role: "assistant", content: "hello", message_id: 7, speaker: "Bot" }];
    expect(parseChatFile(JSON.stringify(arr))).toEqual([
      m("hi"),
      { role: "assistant", content: "hello", message_id: "7", speaker: "Bot" },
    ]);
    expect(parseChatFile(JSON.stringify({ messages: [m("hi")] }))).toEqual([m("hi")]);
  });

  it("accepts a list of sessions; messages inherit the session time unless they have their own", () => {
    const file = [
      {
        session_id: "s1",
        chat_time: "1:56 pm on 8 May, 2023",
        messages: [m("a"), m("b", { chat_time: "2023-05-08T15:00:00Z" })],
      },
      { session_id: 2, date: "2023-05-09", messages: [m("c")] },
      { messages: [m("d")] },
    ];
    const sessions = parseChatSessions(JSON.stringify(file));
    expect(sessions.map((s) => s.session_id)).toEqual(["s1", "2", undefined]);
    expect(parseChatFile(JSON.stringify(file)).map((x) => [x.content, x.chat_time])).toEqual([
      ["a", "1:56 pm on 8 May, 2023"],
      ["b", "2023-05-08T15:00:00Z"],
      ["c", "2023-05-09"],
      ["d", undefined],
    ]);
  });

  it("names the first bad position and shows the accepted shape", () => {
    const bad = [m("a"), m("b"), m("c"), m("   "), { role: 3, content: "x" }];
    const e = errorOf(() => parseChatFile(JSON.stringify(bad), "chat.json"));
    expect(e.message).toBe("file chat.json: messages[3].content must be a non-empty string");
    expect(e.hint).toContain('"messages"');
    expect(e.hint).toContain("session_id");
    expect(
      errorOf(() => parseChatFile(JSON.stringify({ messages: [m("a"), { content: "x" }] }))).message,
    ).toMatch(/^messages\[1\]\.role must be a non-empty string/);
    const sessions = [{ messages: [m("a")] }, { messages: [m("b"), "oops"] }];
    expect(errorOf(() => parseChatFile(JSON.stringify(sessions))).message).toMatch(
      /^sessions\[1\]\.messages\[1\] must be an object/,
    );
    expect(errorOf(() => parseChatFile(JSON.stringify([{ messages: "no" }]))).message).toMatch(
      /^sessions\[0\]\.messages must be an array/,
    );
    expect(errorOf(() => parseChatFile(JSON.stringify([m("a", { chat_time: 5 })]))).message).toBe(
      "messages[0].chat_time must be a string",
    );
  });

  it("rejects non-JSON, wrong top-level shapes and empty lists", () => {
    expect(errorOf(() => parseChatFile("{nope", "c.json")).message).toMatch(
      /^file c\.json: is not valid JSON/,
    );
    expect(errorOf(() => parseChatFile('{"msgs": []}')).message).toMatch(/must be a JSON array of messages/);
    expect(errorOf(() => parseChatFile('"text"')).message).toMatch(/must be a JSON array of messages/);
    expect(errorOf(() => parseChatFile("[]")).message).toBe("messages must contain at least one message");
    expect(errorOf(() => parseChatFile('{"messages": []}')).message).toBe(
      "messages must contain at least one message",
    );
  });

  it("validates in-memory message lists the same way", () => {
    expect(errorOf(() => validateChatMessages([{ role: "user", content: "" }])).message).toBe(
      "messages[0].content must be a non-empty string",
    );
  });
});

describe("decodeUtf8Strict", () => {
  it("decodes UTF-8 (dropping a BOM) and rejects invalid bytes", () => {
    const text = '[{"role":"user","content":"Grüße"}]';
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(decodeUtf8Strict(bom, "a.json")).toBe(text);
    const latin1 = new Uint8Array([0x5b, 0x22, 0x47, 0x72, 0xfc, 0xdf, 0x65, 0x22, 0x5d]); // ["Grüße"] in Latin-1
    const e = errorOf(() => decodeUtf8Strict(latin1, "old.json"));
    expect(e.message).toBe("file old.json is not valid UTF-8");
    expect(e.hint).toBe("save it as UTF-8");
  });
});
