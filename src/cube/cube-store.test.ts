/**
 * `MEMOS_STORE=postgres`: new cubes (general and tree) keep their memories and preferences in the
 * PostgreSQL MEMOS_PG_URL names, under the cube ids `memos migrate` uses, with no password in
 * config.json; a bad value is a ConfigError.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PgSerialProxy, startPgSerialProxy } from "../../test/support/pg-serial-proxy.js";
import { type PgliteServer, startPgliteServer } from "../../test/support/pglite-server.js";
import { ConfigError } from "../core/errors/config-error.js";
import { acquirePool } from "../storage/postgres/driver.js";
import { cubeStoreKindFromEnv } from "./config.js";
import { MemCube } from "./mem-cube.js";

describe("MEMOS_STORE", () => {
  it("is sqlite unless set to postgres; anything else is a ConfigError naming both", () => {
    expect(cubeStoreKindFromEnv({})).toBe("sqlite");
    expect(cubeStoreKindFromEnv({ MEMOS_STORE: " Postgres " })).toBe("postgres");
    let error: unknown;
    try {
      cubeStoreKindFromEnv({ MEMOS_STORE: "mysql" });
    } catch (e) {
      error = e;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).message).toContain('"mysql"');
    expect((error as ConfigError).hint).toContain("MEMOS_PG_URL");
  });
});

describe("cubes created with store postgres", () => {
  const tmp = mkdtempSync(join(tmpdir(), "memos-cube-pg-"));
  const saved = process.env.MEMOS_PG_URL;
  let pg: PgliteServer;
  let proxy: PgSerialProxy;
  let url = "";

  beforeAll(async () => {
    pg = await startPgliteServer({ maxConnections: 16 });
    // Several pooled connections against PGlite's one backend: see pg-serial-proxy.ts.
    proxy = await startPgSerialProxy(Number(new URL(pg.url).port));
    url = `postgres://postgres@127.0.0.1:${proxy.port}/postgres`;
    process.env.MEMOS_PG_URL = url;
  }, 120_000);
  afterAll(async () => {
    if (saved === undefined) delete process.env.MEMOS_PG_URL;
    else process.env.MEMOS_PG_URL = saved;
    await proxy?.stop();
    await pg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const textBackend of ["general_text", "tree_text"] as const) {
    it(`a ${textBackend} cube stores in PostgreSQL, reopens from its config and leaves no .db file`, async () => {
      const dir = join(tmp, textBackend);
      const cubeId = `ola/${textBackend}`;
      const cube = await MemCube.create(dir, { cubeId, userId: "ola", textBackend, store: "postgres" });
      try {
        await cube.text.add(["Ola paints ceramic tiles in her garage"], { userId: "ola" });
      } finally {
        await cube.close();
      }
      const config = readFileSync(join(dir, "config.json"), "utf8");
      expect(config).not.toContain(url);
      expect(
        JSON.parse(config).text_mem.config[textBackend === "tree_text" ? "graph_db" : "vector_db"],
      ).toEqual({
        backend: "postgres",
        config: { cube_id: `ola__${textBackend}/memory` },
      });
      expect(JSON.parse(config).pref_mem.config.vector_db.config.cube_id).toBe(
        `ola__${textBackend}/preference`,
      );

      const again = await MemCube.open(dir);
      try {
        const [hit] = await again.text.search("ceramic tiles", { topK: 1 });
        expect(hit?.item.memory).toContain("ceramic tiles");
      } finally {
        await again.close();
      }
      expect(readdirSync(dir).filter((f) => f.endsWith(".db"))).toEqual([]);
      const ref = await acquirePool({ url, max: 1 });
      try {
        const { rows } = await ref.pool.query(
          "SELECT count(*)::int AS n FROM memos_items i JOIN memos_cubes c ON c.cube = i.cube WHERE c.cube_id = $1",
          [`ola__${textBackend}/memory`],
        );
        expect(rows[0].n).toBeGreaterThanOrEqual(1);
      } finally {
        await ref.release();
      }
    }, 60_000);
  }
});
