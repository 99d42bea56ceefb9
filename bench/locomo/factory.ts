/**
 * The default system factory: baselines in process, and our memory on SQLite (":memory:") with
 * the offline GloVe embedder. Heavy modules load only when a system needs them.
 */
import { InvalidInputError } from "../../src/core/errors/index.js";
import type { Embedder } from "../../src/core/interfaces/embedder.js";
import type { SearcherOptions } from "../../src/retrieve/types.js";
import { createMemosSystem } from "./memos-system.js";
import type { SystemFactory } from "./run.js";
import { createBm25System, createDenseSystem } from "./systems.js";

// One GloVe table per process (~140 MB): `glove` and `memos` share it.
let embedder: Promise<Embedder> | undefined;
function gloveEmbedder(): Promise<Embedder> {
  embedder ??= import("../../src/providers/glove/index.js").then((m) => m.createGloveEmbedder());
  return embedder;
}

/** MEMOS_BENCH_SEARCHER parsed: a JSON object of Searcher options (the Searcher checks each value). */
function searcherOverrides(): Partial<SearcherOptions> {
  const raw = process.env.MEMOS_BENCH_SEARCHER ?? "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidInputError({
      message: `MEMOS_BENCH_SEARCHER must be a JSON object of searcher options, got ${JSON.stringify(raw)}`,
      hint: `e.g. MEMOS_BENCH_SEARCHER='{"feedbackWeight":0}'`,
    });
  }
  return parsed as Partial<SearcherOptions>;
}

/** Builds `memos` (TreeTextMemory, fast), `memos-general` (GeneralTextMemory), `bm25`, `bm25-dated` or `glove`. */
export const defaultSystemFactory: SystemFactory = async (name, { mode }) => {
  switch (name) {
    case "bm25":
      return createBm25System();
    case "bm25-dated":
      return createBm25System({ dated: true });
    case "glove":
      return createDenseSystem(await gloveEmbedder(), "glove");
    case "memos":
    case "memos-general": {
      const { createSqliteMemoryStore } = await import("../../src/storage/sqlite/index.js");
      return createMemosSystem({
        embedder: await gloveEmbedder(),
        // In memory: the benchmark measures the memory layer, not the disk, and leaves no files.
        makeStore: (cubeId) => createSqliteMemoryStore({ path: ":memory:", cubeId }),
        mode,
        memory: name === "memos" ? "tree" : "general",
        // Tuning runs: searcher settings as JSON, e.g. MEMOS_BENCH_SEARCHER='{"feedbackWeight":0}'.
        ...(process.env.MEMOS_BENCH_SEARCHER ? { tree: { searcher: searcherOverrides() } } : {}),
      });
    }
  }
};
