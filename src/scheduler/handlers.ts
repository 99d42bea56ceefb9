import type { TaskHandler, TaskLabel } from "./types.js";

/**
 * The handlers a worker runs, one per label. A label without a handler is failed at once (no
 * retry) with code `unknown_label`, so a worker that lacks one says so instead of looping.
 *
 * @example
 * const handlers: TaskHandlers = { mem_read: async (task) => upgrade(task.payload) };
 */
export type TaskHandlers = Partial<Record<TaskLabel, TaskHandler>>;
