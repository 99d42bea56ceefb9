/**
 * The vector store for general (vector-only) memory: Qdrant; `@qdrant/js-client-rest` is an
 * optional peer dependency, loaded on first use.
 *
 * @example
 * import { createQdrantVectorStore } from "memos-ts/storage/qdrant";
 * const store = await createQdrantVectorStore({ url: "http://localhost:6333", collection: "alice", dimensions: 768 });
 */
export { createQdrantVectorStore, type QdrantStoreOptions } from "./create.js";
export { QdrantVectorStore } from "./store.js";
