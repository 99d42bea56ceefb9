/**
 * The store's Qdrant collection: what an existing one holds (its vector size, which must be a
 * Cosine named vector), and making a new one with the payload indexes the store's filters use.
 */
import { ConfigError, StorageError } from "../../core/errors/index.js";
import { type QdrantClient, toQdrantError } from "./client.js";
import { PAYLOAD, VECTOR_NAME } from "./points.js";

/** Where the store keeps its points. */
export interface CollectionRef {
  client: QdrantClient;
  url: string;
  name: string;
}

/** The vector size of an existing collection; undefined when there is no collection yet. */
export async function inspectCollection(ref: CollectionRef): Promise<number | undefined> {
  let exists: boolean;
  try {
    exists = (await ref.client.collectionExists(ref.name)).exists;
  } catch (error) {
    throw toQdrantError(error, ref.url, `checking collection ${ref.name}`);
  }
  if (!exists) return undefined;
  const info = await ref.client.getCollection(ref.name).catch((error: unknown) => {
    throw toQdrantError(error, ref.url, `reading collection ${ref.name}`);
  });
  const vectors = info.config.params.vectors as
    | Record<string, { size?: number; distance?: string }>
    | undefined;
  const named = vectors?.[VECTOR_NAME];
  if (!named || typeof named.size !== "number") {
    throw new ConfigError({
      message: `Qdrant collection ${ref.name} has no named vector "${VECTOR_NAME}": it was not made by this store`,
      hint: "name another collection_name; MemOS's own collections are read through `memos load` of its dump",
    });
  }
  if (named.distance !== "Cosine") {
    throw new ConfigError({
      message: `Qdrant collection ${ref.name} uses ${String(named.distance)} distance; the store needs Cosine`,
      hint: "name another collection_name (the store creates it with Cosine)",
    });
  }
  return named.size;
}

/** Create the collection (Cosine, named vector) and the payload indexes its filters use. */
export async function createCollection(ref: CollectionRef, dimensions: number): Promise<void> {
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw new StorageError({
      message: `invalid vector size ${dimensions}`,
      hint: "vector_dimension is a positive integer",
    });
  }
  try {
    await ref.client.createCollection(ref.name, {
      vectors: { [VECTOR_NAME]: { size: dimensions, distance: "Cosine" } },
    });
    await ref.client.createPayloadIndex(ref.name, {
      field_name: PAYLOAD.cube,
      field_schema: "keyword",
      wait: true,
    });
    await ref.client.createPayloadIndex(ref.name, { field_name: "id", field_schema: "keyword", wait: true });
    await ref.client.createPayloadIndex(ref.name, {
      field_name: PAYLOAD.text,
      field_schema: { type: "text", tokenizer: "word", lowercase: true },
      wait: true,
    });
  } catch (error) {
    throw toQdrantError(error, ref.url, `creating collection ${ref.name}`);
  }
}
