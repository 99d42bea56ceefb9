/**
 * The retrieval mechanisms of fast mode, end to end on SQLite + GloVe: one-turn memories beside
 * windows, covered results dropped, preferences found by rules for requests for advice, dated turns.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { createGloveEmbedder } from "../../providers/glove/index.js";
import type { ChatMessage } from "../../reader/index.js";
import { FastMemReader } from "../../reader/index.js";
import { countTokens } from "../../reader/tokens.js";
import { createSqliteMemoryStore } from "../../storage/sqlite/index.js";
import { GeneralTextMemory } from "./general.js";
import type { SearchHit } from "./types.js";

let embedder: Embedder;
beforeAll(async () => {
  embedder = await createGloveEmbedder();
});

async function memory(granularity?: "window" | "turn" | "both"): Promise<GeneralTextMemory> {
  return new GeneralTextMemory({
    store: await createSqliteMemoryStore({ path: ":memory:" }),
    embedder,
    reader: granularity ? new FastMemReader({ granularity }) : undefined,
  });
}

/** Small talk, so that every fact sits in a window full of other words. */
const FILLER = [
  "The weather has been grey and rainy for most of the week, honestly.",
  "Traffic on the bridge was terrible again this morning, it took forever.",
  "We watched a long documentary about deep sea creatures, it was great.",
  "The neighbours are repainting their fence, it's a bright shade of green.",
  "I finally fixed the squeaky kitchen door with a bit of oil.",
  "My phone battery keeps dying before lunch, I should replace it.",
];

function session(day: number, fact: string, factAt: number): ChatMessage[] {
  const lines = [...FILLER];
  lines.splice(factAt, 0, fact);
  return lines.map((content, i) => ({
    role: i % 2 === 0 ? "user" : "assistant",
    speaker: i % 2 === 0 ? "Caroline" : "Melanie",
    content,
    chat_time: `2023-05-${String(day).padStart(2, "0")}T10:00:00Z`,
  }));
}

/** Hits taken in rank order while their text fits in `budget` tokens (stop at the first that does not). */
function withinBudget(hits: SearchHit[], budget: number): string {
  let used = 0;
  const taken: string[] = [];
  for (const h of hits) {
    used += countTokens(h.item.memory);
    if (used > budget) break;
    taken.push(...h.item.metadata.sources.map((s) => s.content ?? ""));
  }
  return taken.join("\n");
}

describe("fast-mode retrieval mechanisms", () => {
  it("returns both turns of a two-session (multi-hop) answer within a small budget", async () => {
    const facts = [
      "Caroline: I started volunteering at the animal shelter every Saturday.",
      "Caroline: I signed up for a pottery class at the community centre.",
    ].map((f) => f.slice("Caroline: ".length));
    const query =
      "What hobbies and activities has Caroline taken up: volunteering at the shelter, pottery class?";
    const budget = 150;
    const found = async (granularity?: "window" | "both") => {
      const mem = await memory(granularity);
      await mem.addMessages(session(8, facts[0] as string, 2), { sessionId: "s1" });
      await mem.addMessages(session(20, facts[1] as string, 4), { sessionId: "s2" });
      const context = withinBudget(await mem.search(query, { topK: 20 }), budget);
      return facts.filter((f) => context.includes(f)).length;
    };
    expect(await found()).toBe(2);
    // Windows alone spend the budget on small talk: the pair does not fit.
    expect(await found("window")).toBeLessThan(2);
  });

  it("never returns a turn again after a better result that holds it", async () => {
    const mem = await memory();
    await mem.addMessages(session(8, "I adopted a grey cat called Pixel from the shelter.", 2), {
      sessionId: "s1",
    });
    const hits = await mem.search("grey cat Pixel shelter", { topK: 20 });
    const seen = new Set<string>();
    for (const h of hits) {
      const ids = h.item.metadata.sources.map((s) => `${s.message_id}`);
      expect(ids.every((id) => seen.has(id))).toBe(false);
      for (const id of ids) seen.add(id);
    }
  });

  it("finds a paraphrased preference, stated once among other chats, for a request for advice", async () => {
    const mem = await memory();
    for (let d = 1; d <= 6; d++) {
      await mem.addMessages(session(d, FILLER[d % FILLER.length] as string, 1), {
        sessionId: `small-talk-${d}`,
      });
    }
    await mem.addMessages(
      [
        {
          role: "user",
          content: "Could you fix the grammar of my cover letter?",
          chat_time: "2023-05-09T09:00:00Z",
        },
        {
          role: "assistant",
          content: "Of course, here is a corrected version.",
          chat_time: "2023-05-09T09:01:00Z",
        },
        {
          role: "user",
          content: "I have a deep dislike for wicker furniture, it looks cheap to me.",
          chat_time: "2023-05-09T09:02:00Z",
        },
      ],
      { sessionId: "letter" },
    );
    const hits = await mem.search("What furniture would you suggest for my sunroom?", { topK: 3 });
    expect(hits.map((h) => h.item.memory).join("\n")).toContain("deep dislike for wicker furniture");
    expect(hits.some((h) => h.item.metadata.tags?.includes("preference"))).toBe(true);
  });

  it("answers a date question with the turn that happened on that date", async () => {
    const mem = await memory();
    await mem.addMessages(session(8, "I went to the LGBTQ support group yesterday.", 2), { sessionId: "s1" });
    await mem.addMessages(session(20, "The support group meets again next month.", 1), { sessionId: "s2" });
    const [top] = await mem.search("What did Caroline do on 7 May 2023?", { topK: 1 });
    expect(top?.item.memory).toContain("support group yesterday [7 May 2023]");
    expect(top?.item.metadata.sources).toHaveLength(1);
  });

  it("reads past a question's frame: 'what kind of art' looks for art, not for kind words", async () => {
    const mem = await memory("turn");
    const said = (content: string, i: number): ChatMessage => ({
      role: "user",
      speaker: "Caroline",
      content,
      chat_time: `2023-07-${String(10 + i).padStart(2, "0")}T10:00:00Z`,
    });
    await mem.addMessages(
      [
        "Thanks, Melanie! Your kind words really mean a lot to me.",
        "Art gives me so much joy, it helps me show my feelings.",
        "I signed up for an art class at the community centre.",
        "Check out my painting for the art show! Hope you like it.",
        "Representing diversity in my art is important to me.",
      ].map(said),
      { sessionId: "s1" },
    );
    for (const query of ["What kind of art does Caroline make?", "Which types of art does Caroline make?"]) {
      const top = await mem.search(query, { topK: 4 });
      expect(top.map((h) => h.item.memory).join("\n")).not.toContain("kind words");
    }
  });

  it("returns a window cut to the speaker a question names; get() still returns it whole", async () => {
    const mem = await memory("window");
    await mem.addMessages(session(8, "I went to the LGBTQ support group yesterday.", 2), { sessionId: "s1" });
    const [top] = await mem.search("What did Caroline do at the support group?", { topK: 1 });
    expect(top?.item.memory).toContain("LGBTQ support group");
    expect(new Set(top?.item.metadata.sources.map((s) => s.speaker))).toEqual(new Set(["Caroline"]));
    expect(top?.item.memory).not.toContain("Melanie:");
    const whole = await mem.get(top?.item.id as string);
    expect(whole?.metadata.sources.map((s) => s.speaker)).toContain("Melanie");
  });
});
