/** Preference memory through MOS: pref_mem in search results and preferences in the chat prompt. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LLMMessage } from "../core/interfaces/language-model.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";
import { MOS } from "./mos.js";
import { tempDir } from "./test-helpers.js";

let lastPrompt: LLMMessage[] = [];
const llm = createScriptedLanguageModel([
  {
    match: () => true,
    reply: (messages) => {
      lastPrompt = messages;
      return "Try the falafel place.";
    },
  },
]);

describe("MOS with preference memory", () => {
  const t = tempDir("memos-pref-mos-");
  let mos: MOS;

  beforeAll(async () => {
    mos = await MOS.init({ home: t.dir, user: "maya", llm });
    await mos.add({ memoryContent: "Maya moved to Lisbon for a job at the aquarium" });
    const cube = await mos.openCube(mos.defaultCubeOf("maya"));
    await cube.preference?.add(
      [
        {
          memory: "The user is vegetarian and avoids all meat",
          metadata: { memory_type: "PreferenceMemory", preference_type: "explicit_preference" },
        },
      ],
      { userId: "maya" },
    );
  });
  afterAll(async () => {
    await mos.close();
    t.cleanup();
  });

  it("search returns preferences under pref_mem, separate from text_mem", async () => {
    const r = await mos.search({ query: "what food should I suggest? meat or vegetarian", topK: 5 });
    const prefs = r.pref_mem.flatMap((c) => c.memories);
    expect(prefs.map((p) => p.memory)).toContain("The user is vegetarian and avoids all meat");
    expect(r.text_mem.flatMap((c) => c.memories).some((m) => m.memory.includes("vegetarian"))).toBe(false);
  });

  it("chat puts the matching preference into the system prompt", async () => {
    await mos.chat("Suggest a restaurant for dinner, I'm vegetarian-friendly only");
    expect(lastPrompt[0]?.content).toContain("The user is vegetarian and avoids all meat");
  });
});
