import { z } from "zod";
import { registerBackend } from "../core/backend-registry.js";
import { createSqliteMemoryStore } from "./sqlite/index.js";

registerBackend(
  "store",
  "sqlite",
  (config) => createSqliteMemoryStore({ path: config.path, cubeId: config.cube_id }),
  z.looseObject({ path: z.string().min(1).default(":memory:"), cube_id: z.string().optional() }),
);
