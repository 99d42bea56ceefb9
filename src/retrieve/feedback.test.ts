import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors/config-error.js";
import { TextualMemoryItem } from "../core/schema/memory.js";
import { createGloveEmbedder } from "../providers/glove/index.js";
import { createSqliteMemoryStore } from "../storage/sqlite/index.js";
import { commonWords, expansionTerms, neighbourListWeight, poolBm25 } from "./feedback.js";
import { Searcher } from "./searcher.js";

describe("expansionTerms", () => {
  it("takes the words several hits share, not the query's, stamps, speaker labels or numbers", () => {
    const docs = [
      "[8 May 2023] Maya: I went to a pottery class on 8 May",
      "[9 May 2023] Leo: pottery sounds fun\nMaya: camping next weekend, then pottery",
      "[1 June 2023] Maya: camping by the lake, 2023 was great",
    ];
    expect(expansionTerms("What does Maya do to relax?", docs)).toEqual(["pottery", "camping"]);
  });

  it("gives nothing when no word occurs in two hits", () => {
    expect(expansionTerms("cats?", ["Ada: a tabby", "Ada: the vet"])).toEqual([]);
  });
});

describe("Searcher with feedbackWeight", () => {
  it("lifts a recalled memory that shares no query word but shares the best hits' words", async () => {
    const embedder = await createGloveEmbedder();
    const store = await createSqliteMemoryStore({ path: ":memory:" });
    try {
      const texts = {
        a: "Maya goes to a pottery class to relax.",
        b: "Maya said the pottery class helps her relax after work.",
        c: "The new kiln at the pottery class fired twelve bowls.",
        d: "Lucas painted the garden shed green last weekend.",
        e: "Omar repaired a vintage camera after work.",
      };
      const items = Object.entries(texts).map(([id, memory]) =>
        TextualMemoryItem.parse({ id, memory, metadata: { user_id: "alice" } }),
      );
      const vectors = await embedder.doEmbed(items.map((i) => i.memory));
      await store.addItems(items.map((item, i) => ({ item, embedding: vectors[i] })));
      const query = "How does Maya relax?";
      // The vector path recalls every memory of this small cube; only feedback can tell that the
      // kiln memory belongs with the pottery ones.
      const paths = ["keyword", "vector"] as const;
      const plain = await new Searcher({ store, embedder, feedbackWeight: 0 }).search(query, {
        topK: 5,
        paths: [...paths],
      });
      const plainOrder = plain.hits.map((h) => h.item.id);
      expect(plainOrder.at(-1)).toBe("c");
      const searcher = new Searcher({ store, embedder, feedbackWeight: 0.5 });
      const expanded = await searcher.search(query, { topK: 5, paths: [...paths] });
      const order = expanded.hits.map((h) => h.item.id);
      expect(order.slice(0, 2).sort()).toEqual(["a", "b"]);
      expect(order.indexOf("c")).toBeLessThan(order.indexOf("d"));
    } finally {
      await store.close();
    }
  });

  it("rejects a negative weight with a ConfigError", async () => {
    const embedder = await createGloveEmbedder();
    const store = await createSqliteMemoryStore({ path: ":memory:" });
    try {
      expect(() => new Searcher({ store, embedder, feedbackWeight: -1 })).toThrow(ConfigError);
    } finally {
      await store.close();
    }
  });
});

describe("poolBm25", () => {
  it("scores documents holding more query terms, more often, higher; the rest 0", () => {
    const docs = [
      "pottery class on Monday",
      "pottery and kiln",
      "garden shed",
      "pottery kiln pottery",
      "pottery kiln shed",
    ];
    const s = poolBm25(["pottery", "kiln"], docs);
    expect(s[2]).toBe(0);
    expect(s[1]).toBeGreaterThan(s[0] as number);
    // Same length: the repeated term counts, with saturation.
    expect(s[3]).toBeGreaterThan(s[4] as number);
  });
});

describe("commonWords", () => {
  it("leaves out the names a query writes with a capital letter, not its first word", () => {
    expect(commonWords("What race is Maya preparing for?")).toEqual(["race", "preparing"]);
    expect(commonWords("Pets Caroline has?")).toEqual(["pets"]);
  });
});

describe("neighbourListWeight", () => {
  it("adds the keyword weight when no query word matched informatively", () => {
    expect(neighbourListWeight({ neighbourWeight: 1 }, [[{ id: "a", score: 2 }]])).toBe(1);
    expect(neighbourListWeight({ neighbourWeight: 1 }, [[]])).toBe(2);
    expect(neighbourListWeight({ neighbourWeight: 0 }, [[]])).toBe(0);
  });
});
