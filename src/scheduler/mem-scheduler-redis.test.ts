/**
 * The split deployment on Redis: a submit-only scheduler (a server started with --no-worker) and a
 * separate `memos worker` process on the same home. The add is acknowledged by the server, run by
 * the worker as the submitting user, and the server's `waitIdle` sees it finish. The redis-server
 * is started by the test on a free loopback port.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import {
  REDIS_HOW_TO,
  REDIS_SERVER_BIN,
  startRedisServer,
  type TestRedis,
} from "../../test/support/redis.js";
import { itWithService } from "../../test/support/services.js";
import { MOS } from "../mos/mos.js";
import { tempDir } from "../mos/test-helpers.js";
import { createMosScheduler } from "./mos-scheduler.js";

const root = new URL("../..", import.meta.url).pathname;

let redis: TestRedis | undefined;
if (REDIS_SERVER_BIN) {
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => redis?.stop());
}

describe("MemScheduler on Redis with a separate memos worker", () => {
  itWithService(
    "redis-server",
    Boolean(REDIS_SERVER_BIN),
    REDIS_HOW_TO,
    "a server that runs no worker queues the add; a memos worker process runs it; wait sees it done",
    async () => {
      const t = tempDir("memos-sched-redis-");
      const mos = await MOS.init({ home: t.dir, user: "ida" });
      const scheduler = await createMosScheduler(mos, { redisUrl: redis?.url, worker: false, pollMs: 50 });
      const child = spawn(
        process.execPath,
        ["--import", "tsx", join(root, "src/cli/bin.ts"), "worker", "--dir", t.dir, "--name", "w-redis"],
        { cwd: root, env: { ...process.env, MEMOS_REDIS_URL: redis?.url } },
      );
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += String(d);
      });
      try {
        expect(scheduler.queue.kind).toBe("redis");
        expect(scheduler.worker).toBeUndefined();
        const { task } = await scheduler.submit({
          label: "add",
          user_id: "ida",
          cube_id: "ida/default",
          payload: {
            messages: [{ role: "user", content: "Ida's kayak is stored at the boat club in Alcântara" }],
          },
        });
        const waited = await scheduler.waitIdle("ida", 45_000);
        expect(waited, stderr).toMatchObject({ idle: true, active: 0 });
        expect(stderr).toContain("w-redis: redis queue");
        expect(await scheduler.task("ida", task.task_id)).toMatchObject({
          status: "completed",
          worker: "w-redis",
        });
        const status = await scheduler.status("ida");
        expect(status.tasks.map((x) => `${x.label}:${x.status}`).sort()).toEqual([
          "add:completed",
          "pref_add:completed",
        ]);
        const found = await mos.search({ userId: "ida", query: "where is the kayak stored?", topK: 1 });
        expect(found.text_mem[0]?.memories[0]?.memory).toContain("boat club");
      } finally {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
        await scheduler.close();
        await mos.close();
        t.cleanup();
      }
    },
    90_000,
  );
});
