import { z } from "zod";
import { registerBackend } from "../core/backend-registry.js";
import { createPostgresMemoryStore } from "./postgres/index.js";

/**
 * `{"backend": "postgres", "config": {"url": "postgres://…", "cube_id": "alice-notes"}}`: the url
 * defaults to MEMOS_PG_URL; cube_id is required, since every cube shares the database's tables.
 * `pg` itself loads on first use.
 */
registerBackend(
  "store",
  "postgres",
  (config) =>
    createPostgresMemoryStore({
      cubeId: config.cube_id,
      ...(config.url === undefined ? {} : { url: config.url }),
      ...(config.dimensions === undefined ? {} : { dimensions: config.dimensions }),
      ...(config.ann_threshold === undefined ? {} : { annThreshold: config.ann_threshold }),
      ...(config.pool_size === undefined ? {} : { poolSize: config.pool_size }),
    }),
  z.looseObject({
    url: z.string().min(1).optional(),
    cube_id: z.string().min(1),
    dimensions: z.number().int().positive().optional(),
    ann_threshold: z.number().int().nonnegative().optional(),
    pool_size: z.number().int().positive().optional(),
  }),
);
