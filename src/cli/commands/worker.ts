import { hostname } from "node:os";
import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { MemosHome } from "../../mos/home.js";
import { MOS } from "../../mos/mos.js";
import { languageModelFromEnv } from "../../providers/shared/from-env.js";
import { createMosScheduler } from "../../scheduler/mos-scheduler.js";
import { applyFeedback, FeedbackRequest } from "../../server/routes/feedback.js";
import type { CliIO } from "../io.js";

interface WorkerOptions {
  dir?: string;
  concurrency: string;
  name?: string;
  drain?: boolean;
}

/**
 * `memos worker [--concurrency N] [--name NAME] [--drain]`: runs the MOS task handlers against the
 * queue a server submits to: Redis when MEMOS_REDIS_URL is set (many workers, many machines), else
 * the local queue in MEMOS_HOME (other processes on this machine). SIGTERM / SIGINT: stop claiming,
 * let running tasks finish (up to 30 s), hand the rest back to the queue, exit. `--drain`: exit
 * once no task waits or runs.
 */
export function registerWorker(program: Command, io: CliIO): void {
  program
    .command("worker")
    .description("run background tasks (Redis with MEMOS_REDIS_URL, else the home's local queue)")
    .option("--dir <dir>", "MEMOS_HOME (default $MEMOS_HOME or ./.memos)")
    .option("--concurrency <n>", "tasks run at once", "2")
    .option("--name <name>", "consumer name, unique per worker (default host-pid)")
    .option("--drain", "exit once no task is waiting or running")
    .action(async (opts: WorkerOptions) => {
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
        throw new InvalidInputError({
          message: `--concurrency must be 1..256, got "${opts.concurrency}"`,
          hint: "e.g. --concurrency 4",
        });
      const mos = await MOS.open({
        home: MemosHome.resolveDir(opts.dir),
        llm: await languageModelFromEnv(process.env),
      });
      try {
        const name = opts.name ?? `${hostname()}-${process.pid}`;
        const scheduler = await createMosScheduler(mos, {
          worker: { concurrency, name },
          feedback: (m, userId, body) => applyFeedback(m, userId, FeedbackRequest.parse(body)),
        });
        const stopped = new Promise<string>((resolve) => {
          process.once("SIGINT", () => resolve("SIGINT"));
          process.once("SIGTERM", () => resolve("SIGTERM"));
        });
        io.stderr(
          `memos worker ${name}: ${scheduler.queue.kind} queue, concurrency ${concurrency}, labels ${scheduler.labels.join(", ")}${mos.llm ? "" : " (no LLM: fine passes fail until MEMOS_LLM is set)"}\n`,
        );
        const why = opts.drain ? await Promise.race([stopped, drained(scheduler)]) : await stopped;
        io.stderr(`memos worker ${name}: ${why}; finishing running tasks…\n`);
        const w = scheduler.worker?.status();
        await scheduler.close({ timeoutMs: 30_000 });
        io.stdout(
          `${JSON.stringify({ worker: name, completed: w?.completed ?? 0, failed: w?.failed ?? 0 })}\n`,
        );
      } finally {
        await mos.close();
      }
    });
}

/** Resolves once the queue holds no waiting or running task. */
async function drained(scheduler: Awaited<ReturnType<typeof createMosScheduler>>): Promise<string> {
  for (;;) {
    const c = await scheduler.summary();
    if (c.waiting + c.in_progress === 0) return "queue drained";
    await new Promise((r) => setTimeout(r, 200));
  }
}
