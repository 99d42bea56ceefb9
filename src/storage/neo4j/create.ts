import { errorMessage, InvalidInputError } from "../../core/errors/index.js";
import { logger } from "../../core/logger.js";
import { connectNeo4j, type Neo4jConnection } from "./connection.js";
import * as cypher from "./cypher.js";
import { inspectServer, planDatabase } from "./server.js";
import { ensureVectorIndex, Neo4jMemoryStore } from "./store.js";

/** Options of {@link createNeo4jMemoryStore} (config keys: uri, user, password, db_name, use_multi_db, auto_create, cube_id). */
export interface Neo4jStoreOptions {
  /** bolt:// or neo4j:// address. */
  uri: string;
  user?: string;
  password?: string;
  /** The database (MemOS `db_name`). Default "neo4j". */
  database?: string;
  /**
   * A database of this cube's own (MemOS `use_multi_db`; Enterprise only). Default false: cubes
   * share `database` and are kept apart by a cube property (Community and Enterprise).
   */
  databasePerCube?: boolean;
  /** Create the database when missing (Enterprise only). Default false. */
  autoCreate?: boolean;
  /** The cube whose memories this store holds. Default "default". */
  cubeId?: string;
  /** @internal A connection made elsewhere (tests). */
  connection?: Neo4jConnection;
}

/**
 * Open the Neo4j store of one cube: check the server (≥ 5.18; its edition decides whether a
 * database per cube is possible, and CREATE DATABASE is only ever sent to Enterprise), create
 * the constraints and indexes it needs (idempotent), and read the cube's vector dimension.
 *
 * @example
 * const store = await createNeo4jMemoryStore({ uri: "bolt://localhost:7687", user: "neo4j", password: "secret", cubeId: "alice" });
 * await store.addItems([{ item, embedding }]);
 */
export async function createNeo4jMemoryStore(options: Neo4jStoreOptions): Promise<Neo4jMemoryStore> {
  const cube = options.cubeId ?? "default";
  if (typeof cube !== "string" || cube.length === 0) {
    throw new InvalidInputError({
      message: "cubeId must be a non-empty string",
      hint: 'e.g. {cubeId: "alice"}',
    });
  }
  const database = options.database ?? "neo4j";
  const conn =
    options.connection ??
    (await connectNeo4j({ uri: options.uri, user: options.user, password: options.password, database }));
  try {
    const server = await inspectServer(conn.system);
    const plan = await planDatabase(conn.system, server, {
      database,
      databasePerCube: options.databasePerCube ?? false,
      autoCreate: options.autoCreate ?? false,
    });
    if (plan.create) await conn.system(cypher.createDatabase(plan.database));
    conn.useDatabase(plan.database);
    for (const { query, optional } of cypher.schemaStatements()) {
      try {
        await conn.schema(query);
      } catch (error) {
        if (!optional) throw error;
        logger.warn(
          { err: errorMessage(error), statement: query.text },
          "Neo4j refused an optional constraint",
        );
      }
    }
    const [row] = await conn.write((run) => run(cypher.mergeCube(cube)));
    const dims = typeof row?.dimensions === "number" ? row.dimensions : undefined;
    const annReady = dims !== undefined && (await ensureVectorIndex(conn, dims));
    return new Neo4jMemoryStore({ conn, cube, dimensions: dims, annReady, closed: false });
  } catch (error) {
    await conn.close();
    throw error;
  }
}
