import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemCube } from "../cube/mem-cube.js";
import { parseChatSessions } from "../reader/index.js";
import { DEMO_QUESTIONS } from "./questions.js";

// The demo a new user sees first (`npm start`): every sample question answered by the right memory.
describe("demo questions", () => {
  const dir = mkdtempSync(join(tmpdir(), "memos-demo-test-"));
  let cube: MemCube;
  beforeAll(async () => {
    cube = await MemCube.create(dir, { cubeId: "demo/maya", userId: "maya" });
    const path = new URL("../../examples/sample-chat.json", import.meta.url).pathname;
    await cube.text.addChatSessions(parseChatSessions(readFileSync(path, "utf8"), path), { userId: "maya" });
  });
  afterAll(async () => {
    await cube.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // The README quick start's `memos search` question, on the same sample chat.
  const quickStart = { question: "What is the name of Maya's cat?", answer: "cat called Pixel" };
  for (const { question, answer } of [...DEMO_QUESTIONS, quickStart]) {
    it(`"${question}" → the memory holding "${answer}"`, async () => {
      const [top] = await cube.text.search(question, { topK: 3 });
      expect(top?.item.memory).toContain(answer);
    });
  }
});
