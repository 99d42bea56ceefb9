/**
 * The graph store: Neo4j (≥ 5.18) with its vector and full-text indexes; `neo4j-driver` is an
 * optional peer dependency, loaded on first connect.
 *
 * @example
 * import { createNeo4jMemoryStore } from "memos-ts/storage/neo4j";
 * const store = await createNeo4jMemoryStore({ uri: "bolt://localhost:7687", user: "neo4j", password: "secret", cubeId: "alice" });
 */
export { createNeo4jMemoryStore, type Neo4jStoreOptions } from "./create.js";
export { Neo4jMemoryStore } from "./store.js";
