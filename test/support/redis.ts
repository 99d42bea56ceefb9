/**
 * The throwaway redis-server for tests. It lives in src/scheduler/testing (the throughput bench
 * starts one too, and bench/ cannot import test/); tests import it from here.
 */
export {
  REDIS_HOW_TO,
  REDIS_SERVER_BIN,
  startRedisServer,
  type TestRedis,
} from "../../src/scheduler/testing/redis-server.js";
