import { describe, expect } from "vitest";
import { REDIS_HOW_TO, REDIS_SERVER_BIN } from "../test/support/redis.js";
import { itWithService } from "../test/support/services.js";
import { runThroughputBench } from "./scheduler-throughput.js";

describe("runThroughputBench", () => {
  itWithService(
    "redis-server",
    REDIS_SERVER_BIN,
    REDIS_HOW_TO,
    "drains every task through worker processes and reports a rate per configuration",
    async () => {
      const { rows } = await runThroughputBench({
        workers: [1],
        tasks: 40,
        workMs: [0, 2],
        concurrency: 2,
        local: true,
      });
      expect(rows.map((r) => [r.queue, r.work_ms, r.workers, r.tasks])).toEqual([
        ["local", 0, 1, 40],
        ["redis", 0, 1, 40],
        ["local", 2, 1, 40],
        ["redis", 2, 1, 40],
      ]);
      for (const row of rows) expect(row.tasks_per_s).toBeCloseTo(row.tasks / row.seconds);
    },
    120_000,
  );
});
