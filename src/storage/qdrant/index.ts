export { createQdrantVectorStore, type QdrantStoreOptions } from "./create.js";
export { QdrantVectorStore } from "./store.js";
