import { afterAll, beforeAll } from "vitest";
import { type PgliteServer, startPgliteServer } from "../../../test/support/pglite-server.js";
import { runStoreConformance } from "../../testing/store-conformance.js";
import { createPostgresMemoryStore } from "./index.js";

let pg: PgliteServer;
let counter = 0;
// Every store is a fresh cube in the same database: cubes are kept apart by their id.
const cubeId = () => `conformance-${process.pid}-${counter++}`;

beforeAll(async () => {
  pg = await startPgliteServer();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

runStoreConformance("postgres (PGlite over the wire protocol)", () =>
  createPostgresMemoryStore({ url: pg.url, cubeId: cubeId(), poolSize: pg.poolSize }),
);
