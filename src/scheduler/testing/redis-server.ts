import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The redis-server binary (MEMOS_REDIS_SERVER, else the usual install paths), or undefined. */
export const REDIS_SERVER_BIN = [
  process.env.MEMOS_REDIS_SERVER,
  "/usr/bin/redis-server",
  "/usr/local/bin/redis-server",
].find((p): p is string => typeof p === "string" && existsSync(p));

/** How to get one, for a skipped test's reason. */
export const REDIS_HOW_TO = "install redis-server (apt-get install redis-server) or set MEMOS_REDIS_SERVER";

/** A redis-server the test started; `stop()` kills it and removes its directory. */
export interface TestRedis {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Start a throwaway redis-server (for tests and benches) on a free 127.0.0.1 port, in a temp directory, with nothing
 * persisted (`--save "" --appendonly no`). Call `stop()` in afterAll.
 *
 * @example
 * const redis = await startRedisServer();
 * afterAll(() => redis.stop());
 */
export async function startRedisServer(): Promise<TestRedis> {
  if (!REDIS_SERVER_BIN) throw new Error(`no redis-server: ${REDIS_HOW_TO}`);
  const dir = mkdtempSync(join(tmpdir(), "memos-redis-"));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      REDIS_SERVER_BIN,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        "--protected-mode",
        "yes",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (d) => (output += String(d)));
    child.stderr?.on("data", (d) => (output += String(d)));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && child.exitCode === null && !(await accepts(port))) {
      await new Promise((r) => setTimeout(r, 25));
    }
    if (child.exitCode === null && (await accepts(port))) {
      const stop = async () => {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGKILL");
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      };
      return { url: `redis://127.0.0.1:${port}`, port, process: child, stop };
    }
    if (child.exitCode === null) child.kill("SIGKILL");
    // The port may have been taken between probing and binding: try another, a few times.
    if (attempt >= 2) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start: ${output.slice(-500)}`);
    }
  }
}
