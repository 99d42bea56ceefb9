/**
 * What the Neo4j store checks about the server before using it: the version (vector indexes and
 * `vector.similarity.cosine` need 5.18), the edition (only Enterprise has more than one database),
 * and the database a cube lives in. Pure decisions over a query runner, so tests drive them with
 * recorded answers; CREATE DATABASE is never sent to an edition without it.
 */
import { ConfigError } from "../../core/errors/index.js";
import * as cypher from "./cypher.js";
import type { CypherQuery } from "./cypher-filter.js";

/** One result row as a plain object. */
export type Row = Record<string, unknown>;
/** Runs one query and returns its rows. */
export type RunQuery = (query: CypherQuery) => Promise<Row[]>;

/** The server as the store sees it. */
export interface ServerInfo {
  version: string;
  edition: "community" | "enterprise";
}

/** Oldest Neo4j the store runs on: `CREATE VECTOR INDEX` and `vector.similarity.cosine()`. */
export const MIN_VERSION = [5, 18] as const;

/** Whether a version string (5.x semver or the 2025.01+ calendar versions) is at least 5.18. */
export function versionSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map((x) => Number.parseInt(x, 10));
  if (major >= 2025) return true;
  return major > MIN_VERSION[0] || (major === MIN_VERSION[0] && minor >= MIN_VERSION[1]);
}

/** Read the kernel's version and edition (`dbms.components()`); an old server is a ConfigError. */
export async function inspectServer(system: RunQuery): Promise<ServerInfo> {
  const rows = await system(cypher.components());
  const kernel = rows.find((r) => r.name === "Neo4j Kernel") ?? rows[0];
  const version = String((kernel?.versions as unknown[] | undefined)?.[0] ?? "unknown");
  const edition = String(kernel?.edition ?? "").toLowerCase() === "enterprise" ? "enterprise" : "community";
  if (!versionSupported(version)) {
    throw new ConfigError({
      message: `Neo4j ${version} is too old for the memory store`,
      hint: "use Neo4j 5.18 or newer (vector indexes and vector.similarity.cosine)",
    });
  }
  return { version, edition };
}

/** Where a cube's memories live. */
export interface DatabasePlan {
  database: string;
  /** CREATE DATABASE is needed (Enterprise, auto_create, the database missing). */
  create: boolean;
}

/** The database options of the store's config (MemOS's names: db_name, use_multi_db, auto_create). */
export interface DatabaseOptions {
  database: string;
  /** A database of its own for this cube (Enterprise); else cubes share `database`, kept apart by a cube property. */
  databasePerCube: boolean;
  /** Create the database when it is missing (Enterprise). */
  autoCreate: boolean;
}

const COMMUNITY_HINT =
  "Neo4j Community Edition has one user database: set use_multi_db: false (cubes then share " +
  "db_name, kept apart by a cube property), or use Neo4j Enterprise for a database per cube";

/**
 * Decide the cube's database, checking that it exists or can be made. Community Edition with a
 * database per cube, or a missing database on Community, is a ConfigError with a hint; the plan
 * asks for CREATE DATABASE only on Enterprise.
 */
export async function planDatabase(
  system: RunQuery,
  server: ServerInfo,
  options: DatabaseOptions,
): Promise<DatabasePlan> {
  const { database } = options;
  if (options.databasePerCube && server.edition !== "enterprise") {
    throw new ConfigError({
      message: `use_multi_db asks for a database per cube ("${database}"), which Neo4j ${server.version} community cannot hold`,
      hint: COMMUNITY_HINT,
    });
  }
  const exists = (await system(cypher.showDatabase(database))).length > 0;
  if (exists) return { database, create: false };
  if (!options.autoCreate) {
    throw new ConfigError({
      message: `Neo4j has no database "${database}"`,
      hint:
        server.edition === "enterprise"
          ? "create it (CREATE DATABASE), or set auto_create: true"
          : `${COMMUNITY_HINT}; its database is usually "neo4j"`,
    });
  }
  if (server.edition !== "enterprise") {
    throw new ConfigError({
      message: `auto_create cannot make database "${database}" on Neo4j community`,
      hint: COMMUNITY_HINT,
    });
  }
  return { database, create: true };
}
