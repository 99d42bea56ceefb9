import { z } from "zod";
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

/**
 * Our embedded defaults: text memory on SQLite with the offline GloVe embedder; general text
 * memory unless `textBackend` is "tree_text" (then MemOS's tree config shape, graph_db → SQLite).
 */
export function defaultCubeConfig(
  cubeId: string,
  userId: string,
  embedder: { backend: string; config?: Record<string, unknown> } = { backend: "glove", config: {} },
  textBackend: CubeTextBackend = "general_text",
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
            graph_db: { backend: "sqlite", config: { path: "memory.db" } },
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
            vector_db: { backend: "sqlite", config: { path: "memory.db" } },
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
        vector_db: { backend: "sqlite", config: { path: "preference.db" } },
      },
    },
  };
}
