import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { requeuePending } from "../../mos/background.js";
import type { MOS } from "../../mos/mos.js";
import { MemScheduler, type SchedulerStatus } from "../../scheduler/mem-scheduler.js";
import type { TaskStatus } from "../../scheduler/types.js";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { escapeControl } from "../format.js";
import { type CliIO, printJson } from "../io.js";

const STATUSES: TaskStatus[] = ["waiting", "in_progress", "completed", "failed", "cancelled"];

interface StatusOptions extends CommonOptions {
  status?: string;
  limit: string;
}

interface WaitOptions extends CommonOptions {
  timeout: string;
}

/**
 * `memos scheduler status|wait|sweep`: the acting user's background tasks, on the queue the server uses
 * (the local queue in MEMOS_HOME, or Redis when MEMOS_REDIS_URL is set). Neither runs tasks: a
 * server (`memos serve`) or `memos worker` does.
 */
export function registerScheduler(program: Command, io: CliIO): void {
  const scheduler = program
    .command("scheduler")
    .description("background tasks (async adds and what follows them)");

  withCommon(scheduler.command("status"))
    .description("the user's tasks (newest first), their counts, and the queue's backpressure")
    .option("--status <status>", `only tasks in this state (${STATUSES.join(", ")})`)
    .option("--limit <n>", "most tasks listed", "20")
    .action(async (opts: StatusOptions) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new InvalidInputError({
          message: `--limit must be 1..1000, got "${opts.limit}"`,
          hint: "e.g. --limit 20",
        });
      if (opts.status !== undefined && !(STATUSES as string[]).includes(opts.status))
        throw new InvalidInputError({
          message: `--status must be one of ${STATUSES.join(", ")}, got "${opts.status}"`,
          hint: "e.g. --status failed",
        });
      await withScheduler(io, opts, async (s, user) => {
        const status = await s.status(user, { limit, status: opts.status as TaskStatus | undefined });
        if (opts.json) printJson(io, status);
        else io.stdout(renderStatus(status));
      });
    });

  withCommon(scheduler.command("wait"))
    .description("wait until the user has no waiting or running task (exit 1 on timeout)")
    .option("--timeout <seconds>", "give up after this long", "120")
    .action(async (opts: WaitOptions) => {
      const seconds = Number(opts.timeout);
      if (!Number.isFinite(seconds) || seconds < 0 || seconds > 86_400)
        throw new InvalidInputError({
          message: `--timeout must be 0..86400 seconds, got "${opts.timeout}"`,
          hint: "e.g. --timeout 60",
        });
      await withScheduler(io, opts, async (s, user) => {
        const r = await s.waitIdle(user, seconds * 1000, (active) => {
          if (!opts.json && active > 0) io.stderr(`${active} task(s) active…\n`);
        });
        const out = { user_id: user, idle: r.idle, active: r.active, waited_seconds: r.waitedMs / 1000 };
        if (opts.json) printJson(io, out);
        else if (r.idle)
          io.stdout(
            `idle: no task of ${user} is waiting or running (waited ${out.waited_seconds.toFixed(1)} s)\n`,
          );
        if (!r.idle)
          throw new MemosError({
            message: `${r.active} task(s) of ${user} still active after ${seconds} s`,
            hint: "is a server or `memos worker` running on this queue? see `memos scheduler status`",
          });
      });
    });

  withCommon(scheduler.command("sweep"))
    .description(
      "queue the fine pass of memories a full queue left pending (every cube the user may write, or --cube)",
    )
    .action(async (opts: CommonOptions) => {
      await withScheduler(io, opts, async (s, user, mos) => {
        const cubes = opts.cube
          ? [mos.resolveCubeId(opts.cube, { userId: user })]
          : mos
              .listCubes({ userId: user })
              .filter((c) => c.actions.includes("write"))
              .map((c) => c.cube_id);
        const out: { cube_id: string; queued: number; complete: boolean }[] = [];
        for (const cubeId of cubes) {
          const cube = await mos.openCube(cubeId, { userId: user, action: "write" });
          out.push({ cube_id: cubeId, ...(await requeuePending(cube, { userId: user, cubeId }, s)) });
        }
        if (opts.json) printJson(io, { user_id: user, cubes: out });
        else
          for (const c of out)
            io.stdout(
              `${c.cube_id}: ${c.queued} memory(ies) queued for their fine pass${c.complete ? "" : " (queue full again: run it later)"}\n`,
            );
      });
    });
}

/** The acting user's scheduler, submit-only (no worker), closed afterwards. */
async function withScheduler(
  io: CliIO,
  opts: CommonOptions,
  body: (scheduler: MemScheduler, user: string, mos: MOS) => Promise<void>,
): Promise<void> {
  await withContext(io, opts, async (ctx) => {
    const scheduler = await MemScheduler.create({ home: ctx.home.dir, worker: false });
    try {
      await body(scheduler, ctx.user, ctx.mos);
    } finally {
      await scheduler.close();
    }
  });
}

function renderStatus(s: SchedulerStatus): string {
  const c = s.counts;
  const b = s.backpressure;
  const lines = [
    `queue: ${s.queue} · user ${s.user_id}: ${c.waiting} waiting, ${c.in_progress} running, ${c.completed} completed, ${c.failed} failed, ${c.cancelled} cancelled`,
    `backpressure: ${b.active}/${b.capacity} active${b.full ? " (FULL: new tasks are refused; adds still store their fast memories)" : ""}, ${b.rejected_full} refused as full${b.pending_cubes > 0 ? `, ${b.pending_cubes} cube(s) awaiting re-queue` : ""}`,
  ];
  if (s.tasks.length === 0) lines.push("no tasks");
  for (const t of s.tasks) {
    const error = t.error ? `  ${t.error.code}: ${escapeControl(t.error.message)}` : "";
    lines.push(
      `${t.task_id}  ${t.label.padEnd(12)} ${t.status.padEnd(11)} ${t.cube_id}  try ${t.attempts}/${t.max_attempts}  ${t.submitted_at}${t.dead_letter ? "  (dead letter)" : ""}${error}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
