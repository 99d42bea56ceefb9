/**
 * MOS.chat with parametric memory, through llama.cpp on the generated GGUF and its LoRA adapter:
 * the cube's active adapter changes the greedy answer, deactivating restores it, a dump/load keeps
 * it, and a chat model of another kind says it left the adapters out.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf, type TestGgufFiles } from "../../scripts/make-test-gguf.js";
import { createLlamaCpp, type LlamaCppLanguageModel } from "../providers/llama-cpp/index.js";
import { createScriptedLanguageModel } from "../testing/index.js";
import { MOS } from "./mos.js";
import { expectDenied, tempDir } from "./test-helpers.js";

const NOW = new Date("2025-06-01T00:00:00Z");

describe.sequential("MOS.chat with LoRA adapters (generated GGUF)", () => {
  const t = tempDir("memos-chat-lora-");
  let files: TestGgufFiles;
  let llm: LlamaCppLanguageModel;
  let mos: MOS;
  let turn = 0;
  // A new session per turn: the prompt (and so the greedy answer) depends only on the adapters.
  const ask = (m: MOS = mos, userId = "maya") =>
    m.chat("What is my cat called?", { userId, topK: 1, now: NOW, sessionId: `s${++turn}` });

  beforeAll(async () => {
    files = cachedTestGguf();
    llm = createLlamaCpp({
      modelPath: files.modelFile,
      threads: 1,
      gpu: false,
      contextSize: 1024,
      maxTokens: 12,
    });
    mos = await MOS.init({ home: join(t.dir, "home"), user: "maya", llm });
    await mos.createUser("rob");
    mos.shareCubeWithUser("maya/default", { targetUser: "rob" });
    const cube = await mos.openCube("maya/default", { action: "write" });
    await cube.text.add([
      {
        id: "0d5e3a52-8f0b-4c4e-9d55-6f2b8e1c7a01",
        memory: "Maya's cat is called Pixel",
        metadata: { created_at: "2025-05-08T10:00:00.000Z" },
      },
    ]);
    const para = await cube.enableParametric();
    await para.add(files.loraFile, { name: "style", baseModel: files.modelFile });
  });
  afterAll(async () => {
    await mos?.close();
    await llm?.dispose();
    t.cleanup();
  });

  it("an active adapter changes the answer; deactivating it gives the original answer back", async () => {
    const plain = await ask();
    expect(plain.answer.length).toBeGreaterThan(0);
    const para = (await mos.openCube("maya/default", { action: "write" })).parametric;
    await para?.activate("style");
    const styled = await ask();
    expect(styled.answer).not.toBe(plain.answer);
    expect(styled.warnings).toEqual([]);
    // A reader of the cube chats with its parametric memory too.
    expect((await ask(mos, "rob")).answer).toBe(styled.answer);
    await para?.deactivate("style");
    expect((await ask()).answer).toBe(plain.answer);
  });

  it("a streamed turn runs on the adapted model too", async () => {
    const para = (await mos.openCube("maya/default", { action: "write" })).parametric;
    await para?.activate("style");
    const whole = await ask();
    const s = await mos.chat("What is my cat called?", {
      topK: 1,
      now: NOW,
      sessionId: `s${++turn}`,
      stream: true,
    });
    let text = "";
    for await (const d of s.textStream) text += d;
    expect((await s.result).answer).toBe(text);
    expect(text).toBe(whole.answer);
    await para?.deactivate("style");
  });

  it("a reader cannot change the cube's adapters: opening it for write is denied", async () => {
    await expectDenied(mos.openCube("maya/default", { userId: "rob", action: "write" }));
  });

  it("dump → load keeps the adapter, its scale and its effect", async () => {
    const para = (await mos.openCube("maya/default", { action: "write" })).parametric;
    await para?.activate("style", { scale: 0.7 });
    const before = await ask();
    const out = join(t.dir, "dump");
    await mos.dump("maya/default", out);
    const loaded = await mos.load(out, { cubeId: "copy" });
    const copy = await mos.openCube(loaded.cube_id, { action: "read" });
    expect(copy.parametric?.list()).toEqual(para?.list());
    await para?.deactivate("style");
    // Only the copy's adapter is active now: the answer is the one the original cube gave.
    expect(
      (
        await mos.chat("What is my cat called?", {
          topK: 1,
          now: NOW,
          sessionId: `s${++turn}`,
          cubeIds: [loaded.cube_id],
        })
      ).answer,
    ).toBe(before.answer);
    await copy.parametric?.deactivate("style");
  });

  it("with a chat model that is not llama.cpp the adapters are left out, and the turn says so", async () => {
    const para = (await mos.openCube("maya/default", { action: "write" })).parametric;
    await para?.activate("style");
    const scripted = MOS.fromHome(mos.home, {
      llm: createScriptedLanguageModel([{ match: "cat", reply: "Pixel." }]),
    });
    const r = await scripted.chat("What is my cat called?", { topK: 1, now: NOW, cubeIds: ["maya/default"] });
    expect(r.answer).toBe("Pixel.");
    expect(r.warnings).toEqual([
      expect.stringMatching(/LoRA adapters not applied \(style\).*not a llama\.cpp model/),
    ]);
    await scripted.close();
    await para?.deactivate("style");
  });
});
