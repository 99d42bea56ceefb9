import type { SubmitResult, Task, TaskContext, TaskInput, TaskLabel } from "../types.js";

/** A task as a queue would hand it to a handler (first delivery). */
export function taskOf(label: TaskLabel, userId: string, cubeId: string, payload: unknown): Task {
  return {
    task_id: `t-${label}-${Math.random().toString(36).slice(2, 10)}`,
    label,
    user_id: userId,
    cube_id: cubeId,
    payload,
    idempotency_key: "",
    status: "in_progress",
    attempts: 1,
    max_attempts: 3,
    submitted_at: new Date().toISOString(),
  };
}

/** A handler context whose `submit` records what the handler queued. */
export function recordingContext(): TaskContext & { submitted: TaskInput[] } {
  const submitted: TaskInput[] = [];
  return {
    submitted,
    signal: new AbortController().signal,
    async submit(input: TaskInput): Promise<SubmitResult> {
      submitted.push(input);
      return {
        task: { ...taskOf(input.label, input.user_id, input.cube_id, input.payload), status: "waiting" },
        duplicate: false,
      };
    },
  };
}

export { fineExtraction, fineModel, gatedModel } from "../testing/scripted-models.js";
