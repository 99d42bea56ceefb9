import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { MemosError } from "../../core/errors/index.js";
import { createNeo4jMemoryStore } from "./create.js";

describe("Neo4j connection", () => {
  it("loads neo4j-driver and reports an unreachable server as a StorageError with a hint", async () => {
    // A loopback port that accepts and closes: the driver fails its handshake, no network needed.
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const error = await createNeo4jMemoryStore({
        uri: `bolt://127.0.0.1:${port}`,
        user: "neo4j",
        password: "x",
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(MemosError.isInstance(error), String(error)).toBe(true);
      expect((error as MemosError).code).toBe("storage");
      expect((error as MemosError).hint).toMatch(/server running/);
    } finally {
      server.close();
    }
  }, 30_000);
});
