import { z } from "zod";
import { createFromConfig } from "../core/backend-registry.js";
import { ConfigError } from "../core/errors/config-error.js";
import type { Embedder } from "../core/interfaces/embedder.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import { BackendConfig } from "../core/schema/config.js";
import { PreferenceTextMemory } from "../memory/textual/preference/preference-memory.js";
import { openCubeStore, withCubePaths } from "./text-memory.js";

/** `pref_mem` backends: MemOS's name and ours. */
export const PREFERENCE_MEMORY_BACKENDS = ["pref_text", "preference"] as const;

/**
 * `pref_mem.config`: its own store file (so text dumps hold only text memories and preference
 * dumps only preferences), an embedder, and MemOS's `extractor_llm` for extraction.
 */
const PreferenceConfig = z.looseObject({
  embedder: BackendConfig.default({ backend: "glove", config: {} }),
  vector_db: z.unknown().optional(),
  extractor_llm: BackendConfig.optional(),
});
const PREFERENCE_STORE = { backend: "sqlite", config: { path: "preference.db" } };

/** Build a cube's preference memory from its `pref_mem` section. */
export async function openPreferenceMemory(
  dir: string,
  prefMem: { backend: string; config?: Record<string, unknown> },
  options: { llm?: LanguageModel } = {},
): Promise<PreferenceTextMemory> {
  if (!(PREFERENCE_MEMORY_BACKENDS as readonly string[]).includes(prefMem.backend)) {
    throw new ConfigError({
      message: `pref_mem backend "${prefMem.backend}" is not supported`,
      hint: `use one of ${PREFERENCE_MEMORY_BACKENDS.join(", ")}`,
    });
  }
  const parsed = PreferenceConfig.safeParse(prefMem.config ?? {});
  if (!parsed.success) {
    throw new ConfigError({
      message: `pref_mem.config: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      hint: "each part is {backend, config}",
    });
  }
  const config = parsed.data;
  // MemOS names a Milvus collection pair here; ours is a store config. Anything else: our default.
  const storeConfig = BackendConfig.safeParse(config.vector_db);
  const named =
    storeConfig.success && storeConfig.data.backend === "sqlite" ? storeConfig.data : PREFERENCE_STORE;
  const embedder = await createFromConfig<Embedder>("embedder", config.embedder);
  const store = await openCubeStore(withCubePaths(dir, named), "preference memory");
  const llm =
    options.llm ??
    (config.extractor_llm ? await createFromConfig<LanguageModel>("llm", config.extractor_llm) : undefined);
  return new PreferenceTextMemory({ store, embedder, llm });
}
