import type { z } from "zod";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { MemCube } from "../../cube/mem-cube.js";
import type { MOS } from "../../mos/mos.js";
import type { Action } from "../../mos/roles.js";
import type { Task } from "../types.js";

/**
 * Applies a user's feedback to their memories (the server's `/product/feedback` logic); handed
 * to the handlers by whoever has it, so the scheduler does not import the server.
 */
export type FeedbackApplier = (mos: MOS, userId: string, body: Record<string, unknown>) => Promise<unknown>;

/** What the MOS handlers work with. */
export interface HandlerDeps {
  mos: MOS;
  /** Needed by `mem_feedback` only; without it that label has no handler. */
  feedback?: FeedbackApplier;
}

/**
 * The payload of `task`, validated. A malformed payload is an InvalidInputError: the task fails
 * for good (a retry would fail the same way).
 *
 * @example
 * const { memory_ids } = payloadOf(MemReadPayload, task);
 */
export function payloadOf<S extends z.ZodType>(schema: S, task: Task): z.output<S> {
  const parsed = schema.safeParse(task.payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidInputError({
    message: `${task.label} task ${task.task_id}: invalid payload: ${issue ? `${issue.path.join(".") || "payload"}: ${issue.message}` : "unreadable"}`,
    hint: `see src/scheduler/handlers/ for the payload of "${task.label}"`,
  });
}

/**
 * The task's cube, opened through MOS as the task's user: the ACL applies to background work
 * exactly as to a request (a share revoked since the submit makes the task fail with access_denied).
 *
 * @example
 * const cube = await cubeOf(mos, task, "write");
 */
export function cubeOf(mos: MOS, task: Task, action: Action): Promise<MemCube> {
  return mos.openCube(task.cube_id, { userId: task.user_id, action });
}
