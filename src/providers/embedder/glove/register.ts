/**
 * Side-effect module: registers the GloVe embedder as embedder backend "glove", so
 * `createFromConfig("embedder", {backend: "glove", config: {}})` resolves to it.
 *
 * Config (camelCase or MemOS-style snake_case): `cacheDir` / `cache_dir`, `sifA` / `sif_a`,
 * `removeCommonComponent` / `remove_common_component` (see {@link GloveEmbedderOptions}).
 * Unknown keys (e.g. MemOS's `model_name_or_path`) are ignored.
 *
 * @example
 * import "memos-ts/embedder/glove"; // the package entry imports this module
 * const embedder = await createFromConfig<Embedder>("embedder", { backend: "glove", config: {} });
 *
 * @module
 */
import { z } from "zod";
import { registerBackend } from "../../../core/backend-registry.js";
import { createGloveEmbedder, type GloveEmbedderOptions } from "./glove-embedder.js";

/** Config schema of the "glove" embedder backend; outputs {@link GloveEmbedderOptions}. */
export const GloveEmbedderConfig = z
  .object({
    cacheDir: z.string().min(1).optional(),
    cache_dir: z.string().min(1).optional(),
    sifA: z.number().positive().finite().optional(),
    sif_a: z.number().positive().finite().optional(),
    removeCommonComponent: z.boolean().optional(),
    remove_common_component: z.boolean().optional(),
  })
  .transform((c): GloveEmbedderOptions => {
    const cacheDir = c.cacheDir ?? c.cache_dir;
    const sifA = c.sifA ?? c.sif_a;
    const removeCommonComponent = c.removeCommonComponent ?? c.remove_common_component;
    return {
      ...(cacheDir !== undefined ? { cacheDir } : {}),
      ...(sifA !== undefined ? { sifA } : {}),
      ...(removeCommonComponent !== undefined ? { removeCommonComponent } : {}),
    };
  });

registerBackend("embedder", "glove", (config) => createGloveEmbedder(config), GloveEmbedderConfig);
