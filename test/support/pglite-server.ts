/**
 * PostgreSQL for tests without a server: PGlite (PostgreSQL compiled to WebAssembly, an npm
 * dependency) with its pgvector extension, served over the PostgreSQL wire protocol on
 * 127.0.0.1 (a free port) by pglite-socket, so the store talks to it through the `pg` driver
 * exactly as to a real server.
 *
 * PGlite runs one backend. pglite-socket multiplexes connections onto it message by message, and
 * two connections' extended-protocol messages must not interleave there: the store's pool is
 * sized 1 against it (`poolSize: 1`), and every store in the process shares that pool.
 *
 * @example
 * const pg = await startPgliteServer();
 * const store = await createPostgresMemoryStore({ url: pg.url, cubeId: "c1", poolSize: 1 });
 * ...
 * await pg.stop();
 */
export interface PgliteServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  /** Pool size to use against it (see above). */
  poolSize: number;
  stop(): Promise<void>;
}

export async function startPgliteServer(
  options: { dataDir?: string; maxConnections?: number } = {},
): Promise<PgliteServer> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite/vector");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    extensions: { vector },
  });
  // Room for a pool being replaced by the next test's while the old connection is still closing.
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: 0,
    maxConnections: options.maxConnections ?? 4,
  });
  await server.start();
  const address = (server as unknown as { port: number }).port;
  return {
    url: `postgres://postgres@127.0.0.1:${address}/postgres`,
    poolSize: 1,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * The PostgreSQL a test suite runs against: `MEMOS_TEST_PG_URL` (a real server with pgvector)
 * when set, else a PGlite server started here.
 */
export async function testPostgres(): Promise<PgliteServer> {
  const url = process.env.MEMOS_TEST_PG_URL;
  if (url) return { url, poolSize: 4, stop: async () => {} };
  return startPgliteServer();
}
