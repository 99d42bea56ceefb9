import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import type { Task } from "../../scheduler/types.js";
import { actingUser } from "../auth.js";
import { envelope, errorResponses, jsonOut, ok } from "../schemas.js";
import type { AppContext, MemosApp } from "../types.js";

const TaskStatus = z
  .looseObject({
    task_id: z.string(),
    status: z.enum(["waiting", "in_progress", "completed", "failed", "cancelled"]),
    label: z.string(),
    cube_id: z.string(),
    submitted_at: z.string(),
    started_at: z.string().optional(),
    finished_at: z.string().optional(),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    dead_letter: z.boolean().optional(),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
  })
  .openapi("TaskStatus");

const Counts = z.record(z.string(), z.number()).openapi("TaskCounts");

const Backpressure = z
  .object({
    capacity: z.number().int(),
    active: z.number().int(),
    full: z.boolean(),
    rejected_full: z.number().int(),
    pending_cubes: z.number().int(),
  })
  .openapi("SchedulerBackpressure");

const WaitQuery = z.object({
  user_name: z
    .string()
    .optional()
    .openapi({ description: "the user to wait for (MemOS's name); default the key's user" }),
  user_id: z.string().optional(),
  timeout_seconds: z.coerce.number().min(0).max(600).default(120),
});

const WaitData = z.object({
  running_tasks: z.number().int(),
  waited_seconds: z.number(),
  timed_out: z.boolean(),
  user_name: z.string(),
});

const routes = {
  status: createRoute({
    method: "get",
    path: "/product/scheduler/status",
    tags: ["scheduler"],
    summary: "A user's background tasks (async adds), or one task",
    request: {
      query: z.object({
        user_id: z.string().optional(),
        task_id: z.string().optional(),
        status: z.enum(["waiting", "in_progress", "completed", "failed", "cancelled"]).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    ...jsonOut(envelope(z.array(TaskStatus)), "the tasks"),
  }),
  allStatus: createRoute({
    method: "get",
    path: "/product/scheduler/allstatus",
    tags: ["scheduler"],
    summary:
      "Task counts by state (admin keys see every user; others their own), the caller's counts, and the queue's backpressure",
    request: { query: z.object({ user_id: z.string().optional() }) },
    ...jsonOut(
      envelope(
        z.object({
          scheduler_summary: Counts,
          all_tasks_summary: Counts,
          queue: z.string().openapi({ description: '"local" or "redis"' }),
          user_id: z.string(),
          user_summary: Counts,
          active_by_user: z.record(z.string(), z.number()).openapi({
            description: "waiting + in_progress tasks per user (admins: every user; others: their own)",
          }),
          backpressure: Backpressure,
          worker: z
            .object({
              name: z.string(),
              concurrency: z.number().int(),
              running: z.number().int(),
              completed: z.number().int(),
              failed: z.number().int(),
            })
            .optional()
            .openapi({ description: "the worker in the server's process, when it runs one" }),
        }),
      ),
      "counts",
    ),
  }),
  wait: createRoute({
    method: "post",
    path: "/product/scheduler/wait",
    tags: ["scheduler"],
    summary: "Wait until the user has no waiting or running task (or the timeout)",
    request: { query: WaitQuery },
    ...jsonOut(envelope(WaitData), '"idle" or "timeout"'),
  }),
  waitStream: createRoute({
    method: "get",
    path: "/product/scheduler/wait/stream",
    tags: ["scheduler"],
    summary:
      "The same wait as Server-Sent Events: {user_name, active_tasks, elapsed_seconds, status: running|idle|timeout} frames",
    request: { query: WaitQuery },
    responses: { 200: { description: "a text/event-stream of JSON frames" }, ...errorResponses },
  }),
};

export function registerScheduler(app: MemosApp, ctx: AppContext): void {
  const { scheduler } = ctx;

  app.openapi(routes.status, async (c) => {
    const q = c.req.valid("query");
    const userId = actingUser(c.get("auth"), q.user_id);
    if (q.task_id) {
      const task = await scheduler.task(userId, q.task_id);
      if (!task)
        throw new NotFoundError({
          message: `no task ${q.task_id} for user "${userId}"`,
          hint: "task ids come from an async /product/add",
        });
      return c.json(ok("Memory get status successfully", [publicTask(task)]), 200);
    }
    const { tasks } = await scheduler.status(userId, { status: q.status, limit: q.limit });
    return c.json(ok("Memory get status successfully", tasks.map(publicTask)), 200);
  });

  app.openapi(routes.allStatus, async (c) => {
    const auth = c.get("auth");
    const userId = actingUser(auth, c.req.valid("query").user_id);
    const [mine, all] = await Promise.all([scheduler.status(userId, { limit: 1 }), scheduler.queue.stats()]);
    const summary = auth.admin ? await scheduler.summary() : mine.counts;
    return c.json(
      ok("Scheduler status summary retrieved successfully", {
        scheduler_summary: summary,
        all_tasks_summary: summary,
        queue: mine.queue,
        user_id: userId,
        user_summary: mine.counts,
        active_by_user: auth.admin ? all.active_by_user : { [userId]: mine.active },
        backpressure: mine.backpressure,
        ...(mine.worker ? { worker: mine.worker } : {}),
      }),
      200,
    );
  });

  app.openapi(routes.wait, async (c) => {
    const q = c.req.valid("query");
    const userId = actingUser(c.get("auth"), q.user_name ?? q.user_id);
    const r = await scheduler.waitIdle(userId, q.timeout_seconds * 1000);
    const data = {
      running_tasks: r.active,
      waited_seconds: r.waitedMs / 1000,
      timed_out: !r.idle,
      user_name: userId,
    };
    return c.json(ok(r.idle ? "idle" : "timeout", data), 200);
  });

  app.openapi(routes.waitStream, async (c) => {
    const q = c.req.valid("query");
    const userId = actingUser(c.get("auth"), q.user_name ?? q.user_id);
    const started = Date.now();
    return streamSSE(c, async (sse) => {
      const frame = (active: number, status: string) =>
        sse.writeSSE({
          data: JSON.stringify({
            user_name: userId,
            active_tasks: active,
            elapsed_seconds: (Date.now() - started) / 1000,
            status,
            ...(status === "timeout" ? { timed_out: true } : {}),
          }),
        });
      const pending: Promise<void>[] = [];
      const r = await scheduler.waitIdle(userId, q.timeout_seconds * 1000, (active) => {
        if (active > 0) pending.push(frame(active, "running"));
      });
      await Promise.all(pending);
      await frame(r.active, r.idle ? "idle" : "timeout");
    });
  });
}

/** A task as a client sees it: no payload (the user's own text, possibly large), result or worker name. */
function publicTask(task: Task) {
  const { payload: _p, result: _r, user_id: _u, worker: _w, idempotency_key: _k, ...rest } = task;
  return rest;
}
