import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { actingUser } from "../auth.js";
import { envelope, errorResponses, jsonOut, ok } from "../schemas.js";
import type { AppContext, MemosApp } from "../types.js";

const TaskStatus = z
  .looseObject({
    task_id: z.string(),
    status: z.enum(["waiting", "in_progress", "completed", "failed", "cancelled"]),
    label: z.string(),
    submitted_at: z.string(),
    finished_at: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
  })
  .openapi("TaskStatus");

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
    request: { query: z.object({ user_id: z.string().optional(), task_id: z.string().optional() }) },
    ...jsonOut(envelope(z.array(TaskStatus)), "the tasks"),
  }),
  allStatus: createRoute({
    method: "get",
    path: "/product/scheduler/allstatus",
    tags: ["scheduler"],
    summary: "Task counts by state (admin keys see every user; others their own)",
    ...jsonOut(
      envelope(
        z.object({
          scheduler_summary: z.record(z.string(), z.number()),
          all_tasks_summary: z.record(z.string(), z.number()),
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
  const { tasks } = ctx;
  const strip = (t: ReturnType<typeof tasks.ofUser>[number]) => {
    const { result: _result, user_id: _user, ...rest } = t;
    return rest;
  };

  app.openapi(routes.status, async (c) => {
    const q = c.req.valid("query");
    const userId = actingUser(c.get("auth"), q.user_id);
    if (q.task_id) {
      const task = tasks.get(q.task_id);
      if (!task || task.user_id !== userId)
        throw new NotFoundError({
          message: `no task ${q.task_id} for user "${userId}"`,
          hint: "task ids come from an async /product/add",
        });
      return c.json(ok("Memory get status successfully", [strip(task)]), 200);
    }
    return c.json(ok("Memory get status successfully", tasks.ofUser(userId).map(strip)), 200);
  });

  app.openapi(routes.allStatus, async (c) => {
    const auth = c.get("auth");
    const summary = auth.admin ? tasks.summary() : countOf(tasks.ofUser(auth.userId).map((t) => t.status));
    return c.json(
      ok("Scheduler status summary retrieved successfully", {
        scheduler_summary: summary,
        all_tasks_summary: summary,
      }),
      200,
    );
  });

  app.openapi(routes.wait, async (c) => {
    const q = c.req.valid("query");
    const userId = actingUser(c.get("auth"), q.user_name ?? q.user_id);
    const r = await tasks.waitIdle(userId, q.timeout_seconds * 1000);
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
      let last = -1;
      const pending: Promise<void>[] = [];
      const r = await tasks.waitIdle(userId, q.timeout_seconds * 1000, (active) => {
        if (active !== last && active > 0) pending.push(frame(active, "running"));
        last = active;
      });
      await Promise.all(pending);
      await frame(r.active, r.idle ? "idle" : "timeout");
    });
  });
}

function countOf(statuses: string[]): Record<string, number> {
  const out: Record<string, number> = {
    waiting: 0,
    in_progress: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    total: statuses.length,
  };
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}
