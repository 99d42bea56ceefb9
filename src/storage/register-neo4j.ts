import { z } from "zod";
import { registerBackend } from "../core/backend-registry.js";
import { createNeo4jMemoryStore } from "./neo4j/create.js";

/**
 * `{backend: "neo4j", config}`: MemOS's keys (uri, user, password, db_name, use_multi_db,
 * auto_create, user_name; embedding_dimension is read from the cube's first vector instead) plus
 * cube_id (default: user_name, else "default"). uri/user/password default to NEO4J_URI,
 * NEO4J_USER and NEO4J_PASSWORD. neo4j-driver loads on first use.
 */
registerBackend(
  "store",
  "neo4j",
  (config) =>
    createNeo4jMemoryStore({
      uri: config.uri,
      user: config.user,
      password: config.password,
      database: config.db_name,
      databasePerCube: config.use_multi_db,
      autoCreate: config.auto_create,
      cubeId: config.cube_id ?? config.user_name ?? "default",
    }),
  z.strictObject({
    uri: z
      .string()
      .min(1)
      .default(() => process.env.NEO4J_URI ?? "bolt://localhost:7687"),
    user: z
      .string()
      .optional()
      .default(() => process.env.NEO4J_USER ?? "neo4j"),
    password: z
      .string()
      .optional()
      .default(() => process.env.NEO4J_PASSWORD ?? ""),
    db_name: z.string().min(1).default("neo4j"),
    use_multi_db: z.boolean().default(false),
    auto_create: z.boolean().default(false),
    user_name: z.string().min(1).nullish(),
    cube_id: z.string().min(1).optional(),
    embedding_dimension: z.number().int().positive().nullish(),
  }),
);
