import { InvalidInputError } from "../../core/errors/index.js";
import { connectQdrant, type QdrantClient } from "./client.js";
import { type CollectionRef, createCollection, inspectCollection } from "./collection.js";
import { QdrantVectorStore } from "./store.js";

/** Options of {@link createQdrantVectorStore} (config keys: url, api_key, collection_name, vector_dimension, cube_id). */
export interface QdrantStoreOptions {
  /** e.g. http://localhost:6333 */
  url: string;
  apiKey?: string;
  /** The collection (MemOS `collection_name`). Default "memos_memories". Made on first write. */
  collection?: string;
  /** Vector size (MemOS `vector_dimension`); else the collection's, else the first vector's. */
  dimensions?: number;
  /** The cube whose memories this store holds; cubes can share a collection. Default "default". */
  cubeId?: string;
  /** Milliseconds per request. Default 30 s. */
  timeout?: number;
  /** @internal A client made elsewhere (tests). */
  client?: QdrantClient;
}

/**
 * Open the Qdrant store of one cube: reads the collection's vector size when it exists, and
 * creates it (Cosine, with the payload indexes the store filters on) when `dimensions` is given,
 * else on the first write that carries a vector.
 *
 * @example
 * const store = await createQdrantVectorStore({ url: "http://localhost:6333", collection: "alice", dimensions: 768 });
 * const memory = new GeneralTextMemory({ store, embedder });
 */
export async function createQdrantVectorStore(options: QdrantStoreOptions): Promise<QdrantVectorStore> {
  const cube = options.cubeId ?? "default";
  const name = options.collection ?? "memos_memories";
  for (const [what, value] of [
    ["cubeId", cube],
    ["collection", name],
  ] as const) {
    if (typeof value !== "string" || value.length === 0) {
      throw new InvalidInputError({
        message: `${what} must be a non-empty string`,
        hint: `e.g. {${what}: "alice"}`,
      });
    }
  }
  const client =
    options.client ??
    (await connectQdrant({ url: options.url, apiKey: options.apiKey, timeout: options.timeout }));
  const ref: CollectionRef = { client, url: options.url, name };
  let dimensions = await inspectCollection(ref);
  const collectionExists = dimensions !== undefined;
  if (collectionExists && options.dimensions !== undefined && options.dimensions !== dimensions) {
    throw new InvalidInputError({
      message: `Qdrant collection ${name} holds ${dimensions}-dimensional vectors, the config says ${options.dimensions}`,
      hint: "name another collection_name for another embedder",
    });
  }
  if (!collectionExists && options.dimensions !== undefined) {
    await createCollection(ref, options.dimensions);
    dimensions = options.dimensions;
  }
  return new QdrantVectorStore({
    ref,
    cube,
    dimensions,
    collectionExists: dimensions !== undefined,
    closed: false,
  });
}
