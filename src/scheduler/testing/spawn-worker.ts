import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** What a worker process is told (as JSON on its command line). */
export interface WorkerProcessConfig {
  url: string;
  prefix: string;
  /** Its consumer name. */
  name: string;
  concurrency?: number;
  visibilityTimeoutMs?: number;
  heartbeatMs?: number;
}

/** A running worker process. */
export interface QueueWorkerProcess {
  name: string;
  child: ChildProcess;
  /** SIGTERM (release held tasks, exit) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: die mid-task, holding whatever it claimed. */
  kill(): Promise<void>;
}

/** The worker script beside this file: `.ts` run through tsx, or the built `.js`. */
function workerScript(): { script: string; args: string[] } {
  const ts = fileURLToPath(new URL("./worker-process.ts", import.meta.url));
  if (existsSync(ts)) return { script: ts, args: ["--import", "tsx"] };
  return { script: fileURLToPath(new URL("./worker-process.js", import.meta.url)), args: [] };
}

/**
 * Start a worker process (see worker-process.ts) and wait until it claims.
 *
 * @example
 * const worker = await spawnQueueWorker({ url, prefix: "t1:", name: "w1", concurrency: 2 });
 * await worker.stop();
 */
export async function spawnQueueWorker(
  config: WorkerProcessConfig,
  startTimeoutMs = 60_000,
): Promise<QueueWorkerProcess> {
  const { script, args } = workerScript();
  const child = spawn(process.execPath, [...args, script, JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (d) => (output += String(d)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker ${config.name} did not start: ${output.slice(-800)}`)),
      startTimeoutMs,
    );
    child.stdout?.on("data", (d) => {
      if (String(d).includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${config.name} exited (${code}) before starting: ${output.slice(-800)}`));
    });
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return { name: config.name, child, stop: () => signal("SIGTERM"), kill: () => signal("SIGKILL") };
}
