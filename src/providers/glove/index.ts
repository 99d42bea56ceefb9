/**
 * Offline GloVe sentence embedder (`memos-ts/embedder/glove`). Importing this module also
 * registers it as embedder backend "glove".
 *
 * @module
 */
import "./register.js";

export {
  CACHE_FILE_NAME,
  CACHE_FORMAT_VERSION,
  type LoadedTable,
  loadWordTable,
  locateWinkJson,
  resolveCacheDir,
  WINK_PACKAGE,
} from "./cache.js";
export {
  commonComponent,
  createGloveEmbedder,
  DEFAULT_SIF_A,
  GloveEmbedder,
  type GloveEmbedderOptions,
  type GloveLoadInfo,
  sifWeights,
  ZIPF_OFFSET,
  zipfProbabilities,
} from "./glove-embedder.js";
export { GloveEmbedderConfig } from "./register.js";
