import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PgliteServer, startPgliteServer } from "../../../test/support/pglite-server.js";
import { createFromConfig } from "../../core/backend-registry.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import { TextualMemoryItem } from "../../core/schema/memory.js";
import "../register-postgres.js";

let pg: PgliteServer;
beforeAll(async () => {
  pg = await startPgliteServer();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

describe("the postgres store backend", () => {
  it("opens from a cube config {backend: postgres, config: {url, cube_id}}", async () => {
    const store = await createFromConfig<MemoryStore>("store", {
      backend: "postgres",
      config: { url: pg.url, cube_id: "from-config", pool_size: 1, dimensions: 3 },
    });
    try {
      expect(store.provider).toBe("postgres");
      expect(store.dimensions).toBe(3);
      await store.addItems([
        {
          item: TextualMemoryItem.parse({ id: "a", memory: "configured", metadata: {} }),
          embedding: Float32Array.from([1, 0, 0]),
        },
      ]);
      expect(await store.count()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("refuses a config without cube_id, and a URL that is not postgres://", async () => {
    await expect(
      createFromConfig("store", { backend: "postgres", config: { url: pg.url } }),
    ).rejects.toMatchObject({
      code: "config",
    });
    await expect(
      createFromConfig("store", { backend: "postgres", config: { url: "mysql://x", cube_id: "c" } }),
    ).rejects.toMatchObject({ code: "invalid_input" });
  });
});
