import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { createGloveEmbedder } from "../../providers/glove/index.js";
import { parseChatFile, parseChatSessions } from "../../reader/index.js";
import { createSqliteMemoryStore } from "../../storage/sqlite/index.js";
import { GeneralTextMemory } from "./general.js";
import { keysOf, messageKey } from "./ingest-keys.js";
import { TreeTextMemory } from "./tree/tree-memory.js";

const sampleText = readFileSync(new URL("../../../examples/sample-chat.json", import.meta.url), "utf8");
const sample = parseChatFile(sampleText);

let embedder: Embedder;
beforeAll(async () => {
  embedder = await createGloveEmbedder();
});

async function general(): Promise<GeneralTextMemory> {
  return new GeneralTextMemory({ store: await createSqliteMemoryStore({ path: ":memory:" }), embedder });
}

describe("idempotent ingest", () => {
  it("adding the same chat twice stores it once and reports the second add as already stored", async () => {
    const mem = await general();
    const first = await mem.addMessages(sample, { sessionId: "s1" });
    expect(first.length).toBeGreaterThan(0);
    expect(first.alreadyStored).toBe(0);
    expect(first.every((i) => keysOf(i).length > 0)).toBe(true);
    const count = await mem.store.count();
    const again = await mem.addMessages(sample, { sessionId: "s1" });
    expect(again).toHaveLength(0);
    expect(again.alreadyStored).toBe(sample.length);
    expect(await mem.store.count()).toBe(count);
  });

  it("a longer import after a partial one adds only the new messages, with their times and ids", async () => {
    const mem = await general();
    const timed = [
      {
        role: "user",
        speaker: "Ana",
        content: "I started learning the cello",
        chat_time: "2024-03-01T10:00:00Z",
      },
      { role: "assistant", content: "How is it going?" },
      { role: "user", speaker: "Ana", content: "My teacher is called Marta" },
      { role: "user", speaker: "Ana", content: "We practise on Tuesdays" },
    ];
    await mem.addMessages(timed.slice(0, 2), { sessionId: "s" });
    const more = await mem.addMessages(timed, { sessionId: "s" });
    expect(more.alreadyStored).toBe(2);
    const sources = more.flatMap((i) => i.metadata.sources);
    // Windows and single turns may both hold a message: what matters is which messages were stored.
    expect([...new Set(sources.map((s) => s.content))]).toEqual([
      "My teacher is called Marta",
      "We practise on Tuesdays",
    ]);
    // Untimed messages keep the time of the message before them, stored or not, and their position ids.
    expect(sources[0]).toMatchObject({ chat_time: "2024-03-01T10:00:00.000Z", message_id: "s:2" });
  });

  it("never merges different messages: same id with other content, or another session", async () => {
    const mem = await general();
    const m = { role: "user", content: "I live in Porto", message_id: "D1:3" };
    await mem.addMessages([m], { sessionId: "conv-a" });
    expect((await mem.addMessages([m], { sessionId: "conv-b" })).alreadyStored).toBe(0);
    expect(
      (await mem.addMessages([{ ...m, content: "I live in Lisbon" }], { sessionId: "conv-a" })).alreadyStored,
    ).toBe(0);
    expect(messageKey(m, "conv-a")).not.toBe(messageKey(m, "conv-b"));
    // Repeats within one input are stored once too.
    const twice = await mem.addMessages([
      { role: "user", content: "hello" },
      { role: "user", content: "hello" },
    ]);
    expect(twice.alreadyStored).toBe(1);
  });

  it("chat files with sessions, and tree memory, are idempotent as well", async () => {
    const sessions = parseChatSessions(
      JSON.stringify([
        { session_id: "a", messages: [{ role: "user", content: "Session a talks about kites" }] },
        { session_id: "b", messages: [{ role: "user", content: "Session b talks about boats" }] },
      ]),
    );
    const mem = await general();
    await mem.addChatSessions(sessions);
    expect((await mem.addChatSessions(sessions)).alreadyStored).toBe(2);
    const tree = new TreeTextMemory({ store: await createSqliteMemoryStore({ path: ":memory:" }), embedder });
    const first = await tree.addChatSessions(sessions);
    expect(first.report.alreadyStored).toBe(0);
    const n = await tree.store.count();
    const again = await tree.addChatSessions(sessions);
    expect(again).toHaveLength(0);
    expect(again.report.alreadyStored).toBe(2);
    expect(await tree.store.count()).toBe(n);
  });
});
