import { z } from "zod";
import { createFromConfig, registerBackend } from "../../core/backend-registry.js";
import { ConfigError } from "../../core/errors/config-error.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import { BackendConfig } from "../../core/schema/config.js";
import { PreferenceTextMemory } from "../../memory/textual/preference/preference-memory.js";
import {
  MEMOS_VECTOR_BACKENDS,
  type MemoryBackendContext,
  namesQdrantServer,
  openCubeStore,
  resolveNamedStore,
  withCubePaths,
} from "./context.js";

/** `pref_mem` backends: MemOS's name and ours. */
export const PREFERENCE_MEMORY_BACKENDS = ["pref_text", "preference"] as const;

const PREFERENCE_STORE = { backend: "sqlite", config: { path: "preference.db" } };

/**
 * `pref_mem.config`: its own store file (so text dumps hold only text memories and preference
 * dumps only preferences), an embedder, and MemOS's `extractor_llm` for extraction.
 */
const PreferenceConfig = z.looseObject({
  embedder: BackendConfig.default({ backend: "glove", config: {} }),
  vector_db: z.unknown().optional(),
  extractor_llm: BackendConfig.optional(),
});

/**
 * The store of a preference memory: none named → `preference.db` in the cube; a registered store
 * backend → as configured; MemOS's Milvus/Qdrant (which we have no adapter for) → the embedded
 * store, logged; anything else → ConfigError. Never a silent swap.
 */
export function preferenceStoreConfig(vectorDb: unknown): BackendConfig {
  if (vectorDb === undefined || vectorDb === null) return PREFERENCE_STORE;
  const parsed = BackendConfig.safeParse(vectorDb);
  if (!parsed.success) {
    throw new ConfigError({
      message: "pref_mem.config.vector_db must be {backend, config}",
      hint: 'e.g. {"backend": "sqlite", "config": {"path": "preference.db"}}',
    });
  }
  return resolveNamedStore(
    parsed.data,
    "pref_mem.config.vector_db",
    MEMOS_VECTOR_BACKENDS,
    PREFERENCE_STORE,
    namesQdrantServer,
  );
}

/** Build a cube's preference memory from its `pref_mem` section, through the backend registry. */
export async function openPreferenceMemory(
  dir: string,
  prefMem: { backend: string; config?: Record<string, unknown> },
  options: { llm?: LanguageModel } = {},
): Promise<PreferenceTextMemory> {
  const context: MemoryBackendContext = { dir, llm: options.llm };
  return createFromConfig<PreferenceTextMemory>("pref_memory", prefMem, context);
}

async function createPreferenceMemory(
  config: z.output<typeof PreferenceConfig>,
  ctx: MemoryBackendContext,
): Promise<PreferenceTextMemory> {
  const storeConfig = withCubePaths(ctx.dir, preferenceStoreConfig(config.vector_db));
  const embedder = await createFromConfig<Embedder>("embedder", config.embedder);
  const store = await openCubeStore(storeConfig, "preference memory");
  const llm =
    ctx.llm ??
    (config.extractor_llm ? await createFromConfig<LanguageModel>("llm", config.extractor_llm) : undefined);
  return new PreferenceTextMemory({ store, embedder, llm });
}

for (const name of PREFERENCE_MEMORY_BACKENDS) {
  registerBackend("pref_memory", name, createPreferenceMemory, PreferenceConfig);
}
