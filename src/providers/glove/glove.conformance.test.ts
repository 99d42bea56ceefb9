/** The offline GloVe embedder against the conformance suite (the cache in ~/.cache/memos-ts). */
import { runEmbedderConformance } from "../../testing/embedder-conformance.js";
import { createGloveEmbedder } from "./glove-embedder.js";

runEmbedderConformance("glove", () => createGloveEmbedder());
