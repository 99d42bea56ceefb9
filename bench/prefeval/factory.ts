/**
 * The default PrefEval system factory: the baselines in process, our memory on SQLite
 * (":memory:") with the offline GloVe embedder. Heavy modules load only when a system needs them.
 */
import type { Embedder } from "../../src/core/interfaces/embedder.js";
import type { PrefevalSystemFactory } from "./run.js";
import { createPrefBm25System, createPrefDenseSystem, createPrefMemosSystem } from "./systems.js";

// One GloVe table per process (~140 MB): `glove` and `memos` share it.
let embedder: Promise<Embedder> | undefined;
function gloveEmbedder(): Promise<Embedder> {
  embedder ??= import("../../src/providers/glove/index.js").then((m) => m.createGloveEmbedder());
  return embedder;
}

/** Builds `memos`, `bm25` or `glove`. */
export const defaultPrefevalFactory: PrefevalSystemFactory = async (name) => {
  switch (name) {
    case "bm25":
      return createPrefBm25System();
    case "glove":
      return createPrefDenseSystem(await gloveEmbedder(), "glove");
    case "memos": {
      const { createSqliteMemoryStore } = await import("../../src/storage/sqlite/index.js");
      return createPrefMemosSystem({
        embedder: await gloveEmbedder(),
        // In memory: the benchmark measures the memory layer, not the disk, and leaves no files.
        makeStore: () => createSqliteMemoryStore({ path: ":memory:", cubeId: "prefeval" }),
      });
    }
  }
};
