export { createNeo4jMemoryStore, type Neo4jStoreOptions } from "./create.js";
export { Neo4jMemoryStore } from "./store.js";
