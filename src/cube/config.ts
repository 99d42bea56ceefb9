import { z } from "zod";
import { ConfigError } from "../core/errors/config-error.js";
import { BackendConfig } from "../core/schema/config.js";

/** MemOS's cube config `model_schema`s that we read; we write the general one. */
export const CUBE_MODEL_SCHEMA = "memos.configs.mem_cube.GeneralMemCubeConfig";

const OptionalBackend = z.union([BackendConfig, z.object({}).strict()]).optional();

/** `config.json` of a MemCube directory (MemOS layout). Unknown fields are kept. */
export const MemCubeConfig = z.looseObject({
  model_schema: z.string().default(CUBE_MODEL_SCHEMA),
  user_id: z.string().min(1),
  cube_id: z.string().min(1),
  config_filename: z.string().default("config.json"),
  text_mem: OptionalBackend,
  act_mem: OptionalBackend,
  para_mem: OptionalBackend,
  pref_mem: OptionalBackend,
});
export type MemCubeConfig = z.infer<typeof MemCubeConfig>;

/** Text memory backends a new cube can be created with. */
export type CubeTextBackend = "general_text" | "tree_text" | "naive_text";

/** Where a new cube's stores live: files in its directory, or the PostgreSQL MEMOS_PG_URL names. */
export type CubeStoreKind = "sqlite" | "postgres";

/**
 * `MEMOS_STORE` (sqlite, the default, or postgres): where the cubes a home creates keep their
 * memories. Cubes made before keep the store their config.json names.
 *
 * @example
 * cubeStoreKindFromEnv({ MEMOS_STORE: "postgres" }); // "postgres"
 */
export function cubeStoreKindFromEnv(env: NodeJS.ProcessEnv = process.env): CubeStoreKind {
  const value = env.MEMOS_STORE?.trim().toLowerCase() || "sqlite";
  if (value === "sqlite" || value === "postgres") return value;
  throw new ConfigError({
    message: `MEMOS_STORE must be sqlite or postgres, got "${env.MEMOS_STORE}"`,
    hint: "MEMOS_STORE=postgres with MEMOS_PG_URL=postgres://… keeps new cubes in PostgreSQL",
  });
}

/**
 * A cube's store section: `<name>.db` in the cube directory, or, in PostgreSQL (url from
 * MEMOS_PG_URL when the cube opens, so config.json holds no password), the cube id `memos migrate`
 * gives that file (`alice__notes/memory`), so a migration back puts it where SQLite expects it.
 */
function storeSection(cubeId: string, name: string, store: CubeStoreKind) {
  return store === "postgres"
    ? { backend: "postgres", config: { cube_id: `${cubeId.replaceAll("/", "__")}/${name}` } }
    : { backend: "sqlite", config: { path: `${name}.db` } };
}

/**
 * Our embedded defaults: text memory on SQLite with the offline GloVe embedder; general text
 * memory unless `textBackend` is "tree_text" (then MemOS's tree config shape, graph_db → SQLite).
 * `store` "postgres" puts both stores (memories, preferences) in PostgreSQL instead.
 */
export function defaultCubeConfig(
  cubeId: string,
  userId: string,
  embedder: { backend: string; config?: Record<string, unknown> } = { backend: "glove", config: {} },
  textBackend: CubeTextBackend = "general_text",
  store: CubeStoreKind = "sqlite",
): MemCubeConfig {
  const embedderConfig = { backend: embedder.backend, config: embedder.config ?? {} };
  const textMem =
    textBackend === "tree_text"
      ? {
          backend: "tree_text",
          config: {
            cube_id: cubeId,
            memory_filename: "textual_memory.json",
            embedder: embedderConfig,
            graph_db: storeSection(cubeId, "memory", store),
            reorganize: true,
            memory_size: { WorkingMemory: 20, LongTermMemory: 1500, UserMemory: 480 },
          },
        }
      : {
          backend: textBackend,
          config: {
            cube_id: cubeId,
            memory_filename: "textual_memory.json",
            embedder: embedderConfig,
            vector_db: storeSection(cubeId, "memory", store),
          },
        };
  return {
    model_schema: CUBE_MODEL_SCHEMA,
    user_id: userId,
    cube_id: cubeId,
    config_filename: "config.json",
    text_mem: textMem,
    act_mem: {},
    para_mem: {},
    // Preferences live in their own store file; extraction needs an LLM (MEMOS_LLM or extractor_llm).
    pref_mem: {
      backend: "pref_text",
      config: {
        memory_filename: "preference_textual_memories.json",
        embedder: embedderConfig,
        vector_db: storeSection(cubeId, "preference", store),
      },
    },
  };
}
