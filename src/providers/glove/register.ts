/**
 * Registers the GloVe embedder as embedder backend "glove", so
 * `createFromConfig("embedder", {backend: "glove", config: {}})` resolves to it.
 *
 * Keys: `cache_dir`, `sif_a`, `remove_common_component` (see {@link GloveEmbedderOptions}; the
 * camelCase spellings go through `../shared/config-aliases.ts`). The model is fixed (GloVe 6B,
 * 100-d), so a config naming another is an error rather than ignored.
 *
 * @example
 * import "memos-ts/providers/glove"; // the folder's entry imports this module
 * const embedder = await createFromConfig<Embedder>("embedder", { backend: "glove", config: {} });
 *
 * @module
 */
import { z } from "zod";
import { registerBackend } from "../../core/backend-registry.js";
import { backendConfig, definedOnly } from "../shared/backend-config.js";
import { createGloveEmbedder, type GloveEmbedderOptions } from "./glove-embedder.js";

/** Config schema of the "glove" embedder backend; outputs {@link GloveEmbedderOptions}. */
export const GloveEmbedderConfig = backendConfig({
  cache_dir: z.string().min(1).optional(),
  sif_a: z.number().positive().finite().optional(),
  remove_common_component: z.boolean().optional(),
}).transform(
  (c): GloveEmbedderOptions =>
    definedOnly({
      cacheDir: c.cache_dir,
      sifA: c.sif_a,
      removeCommonComponent: c.remove_common_component,
    }),
);

registerBackend("embedder", "glove", (config) => createGloveEmbedder(config), GloveEmbedderConfig);
