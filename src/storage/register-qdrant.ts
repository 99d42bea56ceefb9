import { z } from "zod";
import { registerBackend } from "../core/backend-registry.js";
import { ConfigError } from "../core/errors/index.js";
import { createQdrantVectorStore } from "./qdrant/create.js";

/** The Qdrant url a config names: `url`, else `host` (+ `port`, default 6333). */
export function qdrantUrl(config: {
  url?: string | null;
  host?: string | null;
  port?: number | null;
}): string | undefined {
  if (config.url) return config.url;
  if (config.host) return `http://${config.host}:${config.port ?? 6333}`;
  return undefined;
}

/**
 * `{backend: "qdrant", config}`: MemOS's keys (collection_name, vector_dimension,
 * distance_metric — cosine only —, url, host, port, api_key; `path`, Qdrant's embedded local mode,
 * is not available from Node) plus cube_id. @qdrant/js-client-rest loads on first use.
 */
registerBackend(
  "store",
  "qdrant",
  (config) => {
    const url = qdrantUrl(config) ?? process.env.QDRANT_URL;
    if (!url) {
      throw new ConfigError({
        message: "the qdrant store needs a server address",
        hint: 'set "url" (e.g. http://localhost:6333), or host and port, or QDRANT_URL',
      });
    }
    if (config.distance_metric && config.distance_metric.toLowerCase() !== "cosine") {
      throw new ConfigError({
        message: `the qdrant store searches by cosine, not ${config.distance_metric}`,
        hint: 'set distance_metric to "cosine" or leave it out',
      });
    }
    return createQdrantVectorStore({
      url,
      apiKey: config.api_key ?? undefined,
      collection: config.collection_name,
      dimensions: config.vector_dimension ?? undefined,
      cubeId: config.cube_id,
    });
  },
  z.strictObject({
    url: z.string().min(1).nullish(),
    host: z.string().min(1).nullish(),
    port: z.number().int().positive().nullish(),
    api_key: z.string().nullish(),
    path: z.string().nullish(),
    collection_name: z.string().min(1).default("memos_memories"),
    vector_dimension: z.number().int().positive().nullish(),
    distance_metric: z.string().nullish(),
    cube_id: z.string().min(1).optional(),
  }),
);
