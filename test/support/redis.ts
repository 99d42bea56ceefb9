/**
 * The throwaway redis-server for tests. The starter lives in src/scheduler/testing (the
 * throughput bench starts one too, and bench/ cannot import test/); tests import it from here.
 */
import { afterAll, beforeAll } from "vitest";
import {
  REDIS_SERVER_BIN,
  startRedisServer,
  type TestRedis,
} from "../../src/scheduler/testing/redis-server.js";

export {
  REDIS_HOW_TO,
  REDIS_SERVER_BIN,
  startRedisServer,
  type TestRedis,
} from "../../src/scheduler/testing/redis-server.js";

/**
 * Start a redis-server for this test file (beforeAll) and kill it after (afterAll), when the
 * binary exists; gate the tests with `itWithService("redis-server", REDIS_SERVER_BIN, ...)`.
 *
 * @example
 * const redis = useRedisServer();
 * itWithService("redis-server", REDIS_SERVER_BIN, REDIS_HOW_TO, "works", async () => connect(redis.url()));
 */
export function useRedisServer(): { url(): string; port(): number } {
  let server: TestRedis | undefined;
  if (REDIS_SERVER_BIN) {
    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterAll(async () => {
      await server?.stop();
    });
  }
  const started = (): TestRedis => {
    if (!server) throw new Error("the test redis-server is not running (no binary, or used outside a test)");
    return server;
  };
  return { url: () => started().url, port: () => started().port };
}
