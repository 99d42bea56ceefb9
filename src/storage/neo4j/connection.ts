/**
 * The Neo4j connection behind the store: neo4j-driver loaded lazily (a missing package is a
 * MissingDependencyError naming it), one driver, a session per unit of work, and driver errors
 * turned into the library's typed errors. The store talks to it through {@link Neo4jConnection},
 * so everything above it runs against a fake in tests.
 */
import { ConfigError, errorMessage, StorageError } from "../../core/errors/index.js";
import { importOptional } from "../../providers/shared/lazy.js";
import type { CypherQuery } from "./cypher-filter.js";
import type { Row, RunQuery } from "./server.js";

/** A transaction the store opened for `MemoryStore.transaction`. */
export interface OpenTransaction {
  run: RunQuery;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** What the store needs from Neo4j. */
export interface Neo4jConnection {
  /** Run `work` in a read transaction of the store's database. */
  read<T>(work: (run: RunQuery) => Promise<T>): Promise<T>;
  /** Run `work` in one write transaction (committed when it resolves, rolled back when it throws). */
  write<T>(work: (run: RunQuery) => Promise<T>): Promise<T>;
  /** Open an explicit transaction (MemoryStore.transaction). */
  begin(): Promise<OpenTransaction>;
  /** A schema statement (index DDL): auto-commit, never inside a data transaction. */
  schema(query: CypherQuery): Promise<Row[]>;
  /** A query against the `system` database (components, SHOW/CREATE DATABASE). */
  system: RunQuery;
  /** Use this database from now on (once the plan is known). */
  useDatabase(name: string): void;
  close(): Promise<void>;
}

/** Connection settings (the store config's uri, user, password). */
export interface ConnectionOptions {
  uri: string;
  user?: string;
  password?: string;
  /** Database until {@link Neo4jConnection.useDatabase} says otherwise. */
  database: string;
}

type Driver = import("neo4j-driver").Driver;
type Session = import("neo4j-driver").Session;

/** Driver failures as StorageError / ConfigError, with what to check. */
export function toNeo4jError(error: unknown, uri: string): Error {
  if (typeof error !== "object" || error === null || !("code" in error)) return error as Error;
  const code = String((error as { code: unknown }).code);
  const message = errorMessage(error);
  if (code.startsWith("Neo.ClientError.Security")) {
    return new ConfigError({
      message: `Neo4j at ${uri} refused the credentials: ${message}`,
      hint: "check user and password (NEO4J_USER / NEO4J_PASSWORD)",
      cause: error,
    });
  }
  if (code === "ServiceUnavailable" || code === "SessionExpired") {
    return new StorageError({
      message: `Neo4j at ${uri} is not reachable: ${message}`,
      hint: "is the server running, and is the uri (bolt:// or neo4j://) right?",
      cause: error,
    });
  }
  if (code === "Neo.ClientError.Schema.ConstraintValidationFailed") {
    return new StorageError({
      message: `a memory with this id already exists in the cube: ${message}`,
      hint: "use upsertItems or updateItem to replace a memory",
      cause: error,
    });
  }
  return new StorageError({ message: `Neo4j: ${message}`, hint: `Neo4j error ${code}`, cause: error });
}

/** Connect (lazily importing neo4j-driver) and check the server answers. */
export async function connectNeo4j(options: ConnectionOptions): Promise<Neo4jConnection> {
  const neo4j = (await importOptional<typeof import("neo4j-driver")>("neo4j-driver", "the Neo4j store"))
    .default;
  const auth =
    options.user !== undefined ? neo4j.auth.basic(options.user, options.password ?? "") : undefined;
  // Integers come back as JS numbers (counts, and integer properties other tools wrote).
  const driver: Driver = neo4j.driver(options.uri, auth, { disableLosslessIntegers: true });
  try {
    await driver.verifyConnectivity();
  } catch (error) {
    await driver.close();
    throw toNeo4jError(error, options.uri);
  }
  return new DriverConnection(driver, options.uri, options.database);
}

class DriverConnection implements Neo4jConnection {
  constructor(
    private readonly driver: Driver,
    private readonly uri: string,
    private database: string,
  ) {}

  readonly system: RunQuery = (query) => this.once("system", query);

  useDatabase(name: string): void {
    this.database = name;
  }

  private session(mode: "READ" | "WRITE", database = this.database): Session {
    return this.driver.session({ database, defaultAccessMode: mode });
  }

  private async once(database: string, query: CypherQuery): Promise<Row[]> {
    const session = this.session("WRITE", database);
    try {
      const result = await session.run(query.text, query.params);
      return result.records.map((r) => r.toObject() as Row);
    } catch (error) {
      throw toNeo4jError(error, this.uri);
    } finally {
      await session.close();
    }
  }

  schema(query: CypherQuery): Promise<Row[]> {
    return this.once(this.database, query);
  }

  private async managed<T>(mode: "READ" | "WRITE", work: (run: RunQuery) => Promise<T>): Promise<T> {
    const session = this.session(mode);
    try {
      const execute =
        mode === "READ" ? session.executeRead.bind(session) : session.executeWrite.bind(session);
      return await execute((tx) =>
        work(async (query) =>
          (await tx.run(query.text, query.params)).records.map((r) => r.toObject() as Row),
        ),
      );
    } catch (error) {
      throw toNeo4jError(error, this.uri);
    } finally {
      await session.close();
    }
  }

  read<T>(work: (run: RunQuery) => Promise<T>): Promise<T> {
    return this.managed("READ", work);
  }

  write<T>(work: (run: RunQuery) => Promise<T>): Promise<T> {
    return this.managed("WRITE", work);
  }

  async begin(): Promise<OpenTransaction> {
    const session = this.session("WRITE");
    const tx = await session.beginTransaction();
    const end = async (how: "commit" | "rollback") => {
      try {
        await tx[how]();
      } catch (error) {
        throw toNeo4jError(error, this.uri);
      } finally {
        await session.close();
      }
    };
    return {
      run: async (query) => {
        try {
          return (await tx.run(query.text, query.params)).records.map((r) => r.toObject() as Row);
        } catch (error) {
          throw toNeo4jError(error, this.uri);
        }
      },
      commit: () => end("commit"),
      rollback: () => end("rollback"),
    };
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
