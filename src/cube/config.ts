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

/** Our embedded defaults: general text memory on SQLite with the offline GloVe embedder. */
export function defaultCubeConfig(
  cubeId: string,
  userId: string,
  embedder: { backend: string; config?: Record<string, unknown> } = { backend: "glove", config: {} },
): MemCubeConfig {
  return {
    model_schema: CUBE_MODEL_SCHEMA,
    user_id: userId,
    cube_id: cubeId,
    config_filename: "config.json",
    text_mem: {
      backend: "general_text",
      config: {
        cube_id: cubeId,
        memory_filename: "textual_memory.json",
        embedder: { backend: embedder.backend, config: embedder.config ?? {} },
        vector_db: { backend: "sqlite", config: { path: "memory.db" } },
      },
    },
    act_mem: {},
    para_mem: {},
  };
}
