import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { newId } from "../core/ids.js";
import { TASK_LABELS, type TaskInput, type TaskLabel, type TaskQueueOptions } from "./types.js";

/** Defaults of {@link TaskQueueOptions}. */
export const QUEUE_DEFAULTS = {
  capacity: 10_000,
  visibilityTimeoutMs: 30_000,
  maxAttempts: 3,
  retentionMs: 7 * 24 * 3600_000,
} as const;

/** How often a queue looks for finished tasks past their retention: often enough, never busy. */
export function pruneIntervalMs(retentionMs: number): number {
  return Math.min(60_000, Math.max(10, Math.floor(retentionMs / 10)));
}

/** Longest user id, cube id or idempotency key a queue accepts (they become key names in Redis). */
const MAX_ID_LENGTH = 256;
/** Largest serialised payload: tasks carry references and small inputs, not documents. */
const MAX_PAYLOAD_BYTES = 1_000_000;

/** A submit, checked and completed with defaults, ready to store. */
export interface NormalizedTaskInput {
  task_id: string;
  label: TaskLabel;
  user_id: string;
  cube_id: string;
  /** The payload as JSON text. */
  payload: string;
  idempotency_key: string;
  max_attempts: number;
}

/** The queue options with defaults filled in; bad values are an InvalidInputError. */
export function resolveQueueOptions(options: TaskQueueOptions = {}): Required<TaskQueueOptions> {
  const resolved = { ...QUEUE_DEFAULTS, ...stripUndefined(options) };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidInputError({
        message: `queue option ${name} must be a positive integer, got ${String(value)}`,
        hint: `leave ${name} out for the default (${QUEUE_DEFAULTS[name as keyof typeof QUEUE_DEFAULTS]})`,
      });
    }
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkId(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new InvalidInputError({
      message: `task ${name} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
      hint: `pass the ${name} the task belongs to`,
    });
  }
  return value;
}

/**
 * Check a submit and fill in its defaults: a known label, ids present, a JSON payload within
 * bounds, a positive `max_attempts`. Both queues call it, so both reject the same inputs.
 */
export function normalizeTaskInput(input: TaskInput, defaultMaxAttempts: number): NormalizedTaskInput {
  if (typeof input !== "object" || input === null) {
    throw new InvalidInputError({
      message: "a task must be an object",
      hint: "pass {label, user_id, cube_id, payload}",
    });
  }
  if (!(TASK_LABELS as readonly string[]).includes(input.label)) {
    throw new InvalidInputError({
      message: `unknown task label "${String(input.label)}"`,
      hint: `use one of: ${TASK_LABELS.join(", ")}`,
    });
  }
  const maxAttempts = input.max_attempts ?? defaultMaxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new InvalidInputError({
      message: `max_attempts must be a positive integer, got ${String(input.max_attempts)}`,
      hint: "leave it out for the queue's default",
    });
  }
  const payload = serializePayload(input.payload);
  const taskId = newId();
  return {
    task_id: taskId,
    label: input.label,
    user_id: checkId("user_id", input.user_id),
    cube_id: checkId("cube_id", input.cube_id),
    payload,
    idempotency_key:
      input.idempotency_key === undefined ? taskId : checkId("idempotency_key", input.idempotency_key),
    max_attempts: maxAttempts,
  };
}

function serializePayload(payload: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(payload ?? null);
  } catch (error) {
    throw new InvalidInputError({
      message: "task payload is not JSON-serialisable",
      hint: "pass plain data",
      cause: error,
    });
  }
  if (text === undefined) {
    throw new InvalidInputError({
      message: "task payload is not JSON-serialisable",
      hint: "pass plain data",
    });
  }
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    throw new InvalidInputError({
      message: `task payload is ${Buffer.byteLength(text)} bytes, more than ${MAX_PAYLOAD_BYTES}`,
      hint: "put large inputs in the store and pass their ids",
    });
  }
  return text;
}

/** JSON text from a store back to a value (`undefined` for a missing one). */
export function parseJson(text: string | null | undefined): unknown {
  return text === null || text === undefined || text === "" ? undefined : JSON.parse(text);
}
