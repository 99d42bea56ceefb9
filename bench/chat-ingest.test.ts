import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { measureChatIngest, syntheticBatches } from "./chat-ingest.js";

const dir = mkdtempSync(path.join(tmpdir(), "memos-chat-ingest-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("chat ingest benchmark", () => {
  it("adds every synthetic message once, through both memories, and reports a rate", async () => {
    const batches = syntheticBatches(4);
    const messages = batches.reduce((n, b) => n + b.messages.length, 0);
    expect(new Set(batches.map((b) => b.sessionId)).size).toBe(4);
    for (const memory of ["general", "tree"] as const) {
      const row = await measureChatIngest(memory, batches, dir);
      expect(row.messages).toBe(messages);
      // Every turn is stored on its own; windows come on top.
      expect(row.memories).toBeGreaterThanOrEqual(messages);
      expect(row.messages_per_s).toBeGreaterThan(0);
      expect(row.disk_mb).toBeGreaterThan(0);
    }
  });
});
