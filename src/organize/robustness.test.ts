/**
 * Robustness of the reorganizer: whatever a model answers (a random-weight GGUF under
 * grammar-constrained JSON, or a seeded "chaos" model mixing valid, invalid and failing
 * answers), no memory is lost or left dangling and the graph stays consistent:
 * - every original memory still exists with its text, and is activated or archived with a
 *   MERGED_TO path to an activated node;
 * - checkGraphConsistency is ok (edge ends exist, merged nodes have MERGED_TO, no cycles).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf } from "../../scripts/make-test-gguf.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { createLlamaCpp, type LlamaCppLanguageModel } from "../providers/llama-cpp/index.js";
import { createScriptedLanguageModel } from "../testing/scripted-language-model.js";
import { checkGraphConsistency, MemoryReorganizer, PROMPT_MARKERS, resolveMerged } from "./index.js";
import { bagOfWordsEmbedder, item, newStore, put } from "./test-helpers.js";

const SUBJECTS = ["Jo", "Kim", "Lee"];
const VARIANTS = [
  "{s} drinks green tea every morning before work",
  "every morning before work {s} drinks green tea",
  "{s} drinks a green tea every morning before work",
  "{s} usually drinks green tea every morning before work",
  "{s} drinks green tea each morning before work",
  "{s} no longer drinks green tea every morning before work",
  "{s} drinks hot green tea every morning before work",
  "{s} drinks green tea every single morning before work",
];

/** Near-duplicate memories (cosine well above 0.5 with the bag-of-words embedder), in two sessions. */
function memories(count: number): TextualMemoryItem[] {
  return Array.from({ length: count }, (_, i) => {
    const s = SUBJECTS[Math.floor(i / VARIANTS.length) % SUBJECTS.length] as string;
    const text = (VARIANTS[i % VARIANTS.length] as string).replace("{s}", s);
    const t = new Date(Date.UTC(2024, 0, 1 + i)).toISOString();
    return item(`${text}.`, t, { session_id: `s${i % 2}`, valid_at: t, tags: [`t${i % 3}`] }, `orig-${i}`);
  });
}

async function assertNothingLost(store: MemoryStore, originals: TextualMemoryItem[]): Promise<void> {
  for (const o of originals) {
    const stored = await store.getItem(o.id);
    expect(stored?.memory, `${o.id} text`).toBe(o.memory);
    const live = await resolveMerged(store, o.id);
    expect(live?.metadata.status, `${o.id} resolves to an activated node`).toBe("activated");
  }
  const consistency = await checkGraphConsistency(store);
  expect(consistency.problems).toEqual([]);
  expect(consistency.ok).toBe(true);
}

async function run(llm: LanguageModel, originals: TextualMemoryItem[], maxNeighbours: number) {
  const store = await newStore();
  const embedder = bagOfWordsEmbedder();
  const reorg = new MemoryReorganizer({ store, embedder, llm, threshold: 0.5, maxNeighbours });
  // Two batches, as two adds would do.
  const half = Math.ceil(originals.length / 2);
  await put(store, embedder, originals.slice(0, half));
  const first = await reorg.integrate(originals.slice(0, half));
  await put(store, embedder, originals.slice(half));
  const second = await reorg.integrate(originals.slice(half));
  await assertNothingLost(store, originals);
  const structure = await reorg.optimizeStructure({ minClusterSize: 2, clusterThreshold: 0.5 });
  await assertNothingLost(store, originals);
  return { store, first, second, structure };
}

describe.sequential("reorganizer robustness", () => {
  let llm: LlamaCppLanguageModel;
  beforeAll(async () => {
    llm = createLlamaCpp({
      modelPath: cachedTestGguf().modelFile,
      threads: 1,
      gpu: false,
      contextSize: 1024,
      maxTokens: 48,
    });
    await llm.load();
  });
  afterAll(async () => {
    await llm?.dispose();
  });

  it("random-weight GGUF: integrate + optimizeStructure lose nothing and keep the graph consistent", async () => {
    const originals = memories(8);
    const started = Date.now();
    const { store, first, second, structure } = await run(llm, originals, 1); // each pair costs 1-2 s of CPU here (answer + repair retry)
    const decided = first.compared + second.compared;
    expect(decided).toBeGreaterThan(0);
    // Every comparison ended somewhere: a decision, a counted failure or a skip.
    const outcomes = [first, second].reduce(
      (n, r) => n + r.duplicates + r.merged + r.conflicts + r.independent + r.failures + r.skipped,
      0,
    );
    expect(outcomes).toBeGreaterThanOrEqual(decided);
    console.log(
      `gguf robustness: ${decided} pairs, merged ${first.merged + second.merged}, conflicts ${first.conflicts + second.conflicts}, ` +
        `independent ${first.independent + second.independent}, failures ${first.failures + second.failures}, ` +
        `parents ${structure.parentIds.length}, structure failures ${structure.failures}, ${Date.now() - started} ms`,
    );
    await store.close();
  });

  it("seeded chaos model (valid, invalid and failing answers) over 24 memories", async () => {
    let state = 42;
    const rand = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
    const chaos = createScriptedLanguageModel([
      {
        match: () => true,
        reply: (messages) => {
          const prompt = messages.at(-1)?.content ?? "";
          const r = rand();
          if (r < 0.1) return "}{ not json";
          if (r < 0.15) return { unexpected: true };
          if (prompt.startsWith(PROMPT_MARKERS.pair)) {
            return {
              relation: pick(["contradictory", "redundant", "independent"] as const),
              reason: "chaos",
            };
          }
          if (prompt.startsWith(PROMPT_MARKERS.merge) || prompt.startsWith(PROMPT_MARKERS.summary)) {
            return {
              memory: pick(["merged text", "  ", "another merged text"]),
              key: "k",
              tags: [pick(["a", "b"])],
            };
          }
          const n = () => Math.floor(rand() * 8) - 2; // includes out-of-range indices
          return {
            relations: [{ source: n(), target: n(), relation: pick(["CAUSE", "CONDITION", "RELATE_TO"]) }],
          };
        },
      },
    ]);
    const { store, first, second } = await run(chaos, memories(24), 4);
    expect(first.merged + second.merged).toBeGreaterThan(0);
    expect(first.failures + second.failures).toBeGreaterThan(0);
    expect(first.conflicts + second.conflicts).toBeGreaterThan(0);
    await store.close();
  });
});
