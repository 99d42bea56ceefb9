/**
 * The default system factory: baselines in process, and our memory on SQLite (":memory:") with
 * the offline GloVe embedder. Heavy modules load only when a system needs them.
 */
import { ConfigError } from "../../src/core/errors/index.js";
import type { Embedder } from "../../src/core/interfaces/embedder.js";
import type { SystemFactory } from "./run.js";
import { createBm25System, createDenseSystem } from "./systems.js";

// One GloVe table per process (~140 MB): `glove` and `memos` share it.
let embedder: Promise<Embedder> | undefined;
function gloveEmbedder(): Promise<Embedder> {
  embedder ??= import("../../src/providers/embedder/glove/index.js").then((m) => m.createGloveEmbedder());
  return embedder;
}

/** Builds `memos`, `bm25`, `bm25-dated` or `glove`. */
export const defaultSystemFactory: SystemFactory = async (name) => {
  switch (name) {
    case "bm25":
      return createBm25System();
    case "bm25-dated":
      return createBm25System({ dated: true });
    case "glove":
      return createDenseSystem(await gloveEmbedder(), "glove");
    case "memos":
      throw new ConfigError({
        message: `system "memos" is not available yet`,
        hint: "run --systems bm25,bm25-dated,glove",
      });
  }
};
