import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { seedSampleChat } from "../../demo/seed.js";
import { MemosHome } from "../../mos/home.js";
import { MOS } from "../../mos/mos.js";
import { languageModelFromEnv } from "../../providers/shared/from-env.js";
import type { MemScheduler } from "../../scheduler/mem-scheduler.js";
import { createMosScheduler } from "../../scheduler/mos-scheduler.js";
import { limitsFromEnv } from "../../server/app.js";
import { defaultExtensions } from "../../server/extensions.js";
import { applyFeedback, FeedbackRequest } from "../../server/routes/feedback.js";
import { type RunningServer, serve } from "../../server/serve.js";
import type { CliIO } from "../io.js";

interface ServeOptions {
  port: string;
  host?: string;
  dir?: string;
  user?: string;
  seed?: boolean;
  /** Commander's `--no-worker` sets it false. */
  worker?: boolean;
  concurrency?: string;
}

/**
 * `memos serve [--port 8000] [--host H] [--seed]`: the REST API, MCP (`/mcp`) and the memory
 * browser (`/`) on MEMOS_HOME, made when missing (and, with --seed, filled with the sample
 * conversation). Background tasks go to Redis when MEMOS_REDIS_URL is set, else to the home's
 * local queue; this process runs them too unless `--no-worker`. Runs until SIGINT/SIGTERM, then
 * lets running tasks finish (the rest stay queued).
 */
export function registerServe(program: Command, io: CliIO): void {
  program
    .command("serve")
    .description("serve the REST API (/product/*), MCP (/mcp) and the memory browser (/)")
    .option("--port <port>", "port (0: any free one)", "8000")
    .option("--host <host>", "address to listen on (default 127.0.0.1 without keys, 0.0.0.0 with keys)")
    .option("--dir <dir>", "MEMOS_HOME (default $MEMOS_HOME or ./.memos; made when missing)")
    .option("--user <name>", "without API keys: whom callers act as when a body names nobody")
    .option("--seed", "when the home is new, store examples/sample-chat.json in it")
    .option("--no-worker", "run no background tasks here: `memos worker` processes do (Redis, or this home)")
    .option("--concurrency <n>", "background tasks this process runs at once", "2")
    .action(async (opts: ServeOptions) => {
      const server = await startServer(opts, io);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      io.stderr("Stopping: finishing running background tasks (the rest stay queued)…\n");
      await server.close();
    });
}

/** Open (or make and seed) the home, start the server and print where everything is. */
export async function startServer(opts: ServeOptions, io: CliIO): Promise<RunningServer> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidInputError({
      message: `--port must be 0..65535, got "${opts.port}"`,
      hint: "e.g. --port 8000",
    });
  const concurrency = Number(opts.concurrency ?? "2");
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw new InvalidInputError({
      message: `--concurrency must be 1..256, got "${opts.concurrency}"`,
      hint: "e.g. --concurrency 4",
    });
  const dir = MemosHome.resolveDir(opts.dir);
  const isNew = !MemosHome.exists(dir);
  const mos = await MOS.init({
    home: dir,
    user: opts.user,
    userId: opts.user,
    llm: await languageModelFromEnv(process.env),
  });
  let scheduler: MemScheduler | undefined;
  try {
    if (isNew) io.stderr(`Made a MemOS home at ${dir} (user "${mos.userId}")\n`);
    if (isNew && opts.seed) {
      const n = await seedSampleChat(mos, mos.userId);
      io.stderr(`Seeded cube "${mos.defaultCubeOf()}" with examples/sample-chat.json (${n} memories)\n`);
    }
    scheduler = await createMosScheduler(mos, {
      worker: opts.worker === false ? false : { concurrency },
      feedback: (m, userId, body) => applyFeedback(m, userId, FeedbackRequest.parse(body)),
    });
    const server = await serve({
      mos,
      scheduler,
      port,
      host: opts.host,
      limits: limitsFromEnv(),
      extensions: defaultExtensions(),
      log: (l) => io.stderr(`${l}\n`),
    });
    io.stdout(
      [
        `MemOS-TS serving ${dir}${mos.llm ? ` (LLM: ${mos.llm.provider}:${mos.llm.modelId})` : " (no LLM: chat, fine mode and feedback say how to set MEMOS_LLM)"}`,
        `  REST API  ${server.url}/product/   (e.g. POST ${server.url}/product/search)`,
        `  API docs  ${server.url}/docs   (OpenAPI: ${server.url}/openapi.json)`,
        `  browser   ${server.url}/`,
        `  MCP       ${server.url}/mcp`,
        `  tasks     ${scheduler.queue.kind} queue${scheduler.worker ? `, run here (concurrency ${concurrency})` : ", run by `memos worker` (--no-worker)"}`,
        "",
      ].join("\n"),
    );
    return server;
  } catch (error) {
    await scheduler?.close();
    await mos.close();
    throw error;
  }
}
