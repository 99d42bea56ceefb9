/**
 * The shared store conformance suite against a real Neo4j (≥ 5.18), when NEO4J_URI is set
 * (+ NEO4J_USER, NEO4J_PASSWORD; NEO4J_DATABASE, default "neo4j"). No CI machine of this project
 * can run Neo4j (not packaged in Debian, no downloads), so without it this is one visible skip,
 * also under MEMOS_REQUIRE_SERVICES=1; the unit tests beside it always run.
 */
import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { describeWithOptionalService } from "../../../test/support/services.js";
import { runStoreConformance } from "../../testing/store-conformance.js";
import { createNeo4jMemoryStore } from "./create.js";

const uri = process.env.NEO4J_URI;
const options = () => ({
  uri: uri as string,
  user: process.env.NEO4J_USER ?? "neo4j",
  password: process.env.NEO4J_PASSWORD ?? "",
  database: process.env.NEO4J_DATABASE ?? "neo4j",
});
const cubes: string[] = [];

describeWithOptionalService(
  "neo4j",
  uri,
  "set NEO4J_URI (+ NEO4J_USER, NEO4J_PASSWORD) to a Neo4j 5.18+ server",
  "MemoryStore conformance: neo4j",
  () => {
    // Every test gets a cube of its own in the shared database; they are wiped afterwards.
    runStoreConformance("neo4j (shared database, one cube per test)", () => {
      const cubeId = `memos-conformance-${randomUUID()}`;
      cubes.push(cubeId);
      return createNeo4jMemoryStore({ ...options(), cubeId });
    });
    afterAll(async () => {
      for (const cubeId of cubes) {
        const store = await createNeo4jMemoryStore({ ...options(), cubeId });
        await store.deleteWhere();
        await store.close();
      }
    }, 120_000);
  },
);
