/**
 * `act_mem_update`: the scheduler rebuilds a cube's KV cache in the background, so the chat turn
 * after an add finds the memory block's state ready instead of evaluating it first.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf } from "../../../scripts/make-test-gguf.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import type { KVCacheMemory } from "../../memory/activation/kv-cache-memory.js";
import { MOS } from "../../mos/mos.js";
import { tempDir } from "../../mos/test-helpers.js";
import { createLlamaCpp, type LlamaCppLanguageModel } from "../../providers/llama-cpp/index.js";
import { createScriptedLanguageModel } from "../../testing/scripted-language-model.js";
import { createMosScheduler } from "../mos-scheduler.js";
import { actMemUpdateHandler } from "./act-mem-update.js";
import { recordingContext, taskOf } from "./test-helpers.js";

const NOW = new Date("2025-06-01T00:00:00Z");

/** A home whose user "maya" has a default cube; `act_mem` set when `activation` is true. */
async function home(dir: string, llm: LanguageModel, activation: boolean): Promise<MOS> {
  const first = await MOS.init({ home: dir, user: "maya", llm });
  const cube = await first.openCube("maya/default", { action: "write" });
  await cube.text.add([{ memory: "Maya's cat is called Pixel" }, { memory: "Maya lives in Lisbon" }]);
  const configPath = join(cube.dir, "config.json");
  await first.close();
  if (activation) {
    const config = JSON.parse(readFileSync(configPath, "utf8"));
    config.act_mem = { backend: "kv_cache", config: { max_memories: 8 } };
    writeFileSync(configPath, JSON.stringify(config, null, 2));
  }
  return MOS.open({ home: dir, llm });
}

describe.sequential("act_mem_update on llama.cpp (generated GGUF)", () => {
  const t = tempDir("memos-actmem-");
  let llm: LlamaCppLanguageModel;
  let mos: MOS;
  beforeAll(async () => {
    llm = createLlamaCpp({
      modelPath: cachedTestGguf().modelFile,
      threads: 1,
      gpu: false,
      contextSize: 1024,
      maxTokens: 8,
    });
    mos = await home(t.dir, llm, true);
  });
  afterAll(async () => {
    await mos?.close();
    await llm?.dispose();
    t.cleanup();
  });

  it("builds the cache once, reuses it while the memories stay, rebuilds it after they change", async () => {
    const handler = actMemUpdateHandler({ mos });
    const run = () => handler(taskOf("act_mem_update", "maya", "maya/default", {}), recordingContext());
    const first = (await run()) as { cache_id: string; rebuilt: boolean; token_count: number };
    expect(first.rebuilt).toBe(true);
    expect(first.token_count).toBeGreaterThan(0);
    const kv = (await mos.openCube("maya/default")).activation as KVCacheMemory;
    expect(kv.getAll().map((i) => i.id)).toEqual([first.cache_id]);

    expect(await run()).toMatchObject({ cache_id: first.cache_id, rebuilt: false });

    await mos.add({ userId: "maya", memoryContent: "Maya plays the cello" });
    const third = (await run()) as { cache_id: string; rebuilt: boolean; dropped: number };
    expect(third).toMatchObject({ rebuilt: true, dropped: 1 });
    expect(kv.getAll().map((i) => i.id)).toEqual([third.cache_id]);
    expect(kv.get(third.cache_id)?.source_text).toContain("Maya plays the cello");

    // The next chat turn resumes from the state the task saved: nothing to rebuild first.
    const r = await mos.chat("What is my cat called?", { topK: 1, now: NOW });
    expect(kv.getAll().map((i) => i.id)).toEqual([third.cache_id]);
    expect(r.usage?.cachedInputTokens ?? 0).toBeGreaterThan(0);
  });

  it("an async add to a cube with activation memory queues the rebuild, which the worker runs", async () => {
    const scheduler = await createMosScheduler(mos, { pollMs: 20, worker: { concurrency: 1 } });
    try {
      const added = await mos.add({
        userId: "maya",
        memoryContent: "Maya's sister is Ana",
        asyncMode: "async",
      });
      const task = added.tasks?.find((x) => x.label === "act_mem_update");
      expect(task).toBeDefined();
      const wait = await scheduler.waitIdle("maya", 120_000);
      expect(wait.idle).toBe(true);
      const done = (await scheduler.status("maya")).tasks.find((x) => x.task_id === task?.task_id);
      expect(done?.status).toBe("completed");
      const kv = (await mos.openCube("maya/default")).activation as KVCacheMemory;
      expect(kv.getAll()[0]?.source_text).toContain("Maya's sister is Ana");
    } finally {
      await scheduler.close({ timeoutMs: 5000 });
    }
  });
});

describe("act_mem_update refusals", () => {
  const t = tempDir("memos-actmem-refuse-");
  afterAll(() => t.cleanup());

  it("a cube without activation memory is invalid input; a chat model that is not llama.cpp is a config error", async () => {
    const llm = createScriptedLanguageModel([{ match: () => true, reply: "ok" }]);
    const plain = await home(join(t.dir, "plain"), llm, false);
    const withKv = await home(join(t.dir, "kv"), llm, true);
    try {
      const task = taskOf("act_mem_update", "maya", "maya/default", {});
      await expect(actMemUpdateHandler({ mos: plain })(task, recordingContext())).rejects.toMatchObject({
        code: "invalid_input",
      });
      await expect(actMemUpdateHandler({ mos: withKv })(task, recordingContext())).rejects.toMatchObject({
        code: "config",
        hint: expect.stringContaining("llama-cpp"),
      });
      await expect(
        actMemUpdateHandler({ mos: withKv })(
          taskOf("act_mem_update", "maya", "maya/default", { force: "yes" }),
          recordingContext(),
        ),
      ).rejects.toMatchObject({ code: "invalid_input" });
    } finally {
      await plain.close();
      await withKv.close();
    }
  });
});
